using System.Buffers;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;
using WsgiHost.Python.Interop;

namespace WsgiHost.Daemon;

/// <summary>
/// Shared memory between the front and a daemon worker on one connection, through which the
/// front passes a streamed request body instead of through the socket: the front copies what
/// Kestrel received into a free slot and sends only the slot's number and length
/// (<see cref="DaemonProtocol.SlotChunk"/>); the worker copies it from there into the app's
/// bytes and frees the slot. Through the socket each byte was copied twice more (into the
/// kernel and out of it), and each socket buffer's worth woke both sides.
/// </summary>
/// <remarks>
/// <para>Per connection, not per worker, for safety: a connection carries one request at a
/// time, and one that breaks mid-body takes its slots with it, so a slot can never be reused
/// while a request the worker still runs may read it (its bytes would be another client's
/// body). Made on a connection's first streamed body only (most connections never carry one),
/// and passed to the worker with <see cref="DaemonProtocol.SlotsAttached"/>
/// (<see cref="DescriptorPassing"/>). The worker maps it only sealed and of the expected size
/// (<see cref="SharedMemory.MapReceived"/>).</para>
/// <para>The first page holds a word per slot, 0 (free) or 1 (holds a chunk): only the front
/// sets it to 1, only the worker back to 0, after its last read of the slot, so a slot's bytes
/// are never written while read. Slots are filled and freed in ring order. When none is free
/// the front waits (as it waited for room in the socket's buffer before), having said in the
/// page's wake word which slot's freeing should wake it: the one that leaves half the slots
/// free, so it wakes once per half rather than per slot. The worker wakes it with a byte on a
/// socket pair passed with the memory, whose end also tells the front the worker is gone.</para>
/// </remarks>
internal sealed class BodySlots : IDisposable
{
    /// <summary>
    /// Slots per connection: how far the front may run ahead of the app. The front copies faster
    /// than an app reads, so it fills them all in every large body: 8 slots held 8 MB of shared
    /// memory in the front (and 4 in each worker) under 1 MiB uploads from 32 clients; 4 hold half
    /// that (whole server 84.7 -> 78.5 MB) at the same rate (2,270-2,320 against 2,160-2,390 req/s).
    /// </summary>
    public const int Count = 4;

    /// <summary>Bytes a slot holds: an app's usual read (64 KiB).</summary>
    public const int SlotBytes = 64 * 1024;

    private const int StatePageBytes = 4096;

    /// <summary>Each slot's state word on a cache line of its own, the wake word after them.</summary>
    private const int StateStride = 64;

    private const long WakeOffset = (long)Count * StateStride;

    /// <summary>The shared file's size: the page of states, then the slots.</summary>
    public const long Bytes = StatePageBytes + (long)Count * SlotBytes;

    private readonly SharedMapping _mapping;

    // The front's: its end of the wake-up pair, and until passed, the memory's file and the
    // worker's end. The worker's: its end, to write wake-ups to.
    private readonly Socket? _wakeup;
    private SafeFileHandle? _file;
    private SafeFileHandle? _peer;
    private readonly SafeFileHandle? _wakeFront;

    // The front's: the slot it fills next (the next to be freed, when none is free), and the
    // one it filled last (-1: none yet).
    private int _next;
    private int _lastFilled = -1;
    private readonly byte[] _woken = new byte[16];

    private BodySlots(SharedMapping mapping, SafeFileHandle? file, Socket? wakeup, SafeFileHandle? peer, SafeFileHandle? wakeFront)
    {
        _mapping = mapping;
        _file = file;
        _wakeup = wakeup;
        _peer = peer;
        _wakeFront = wakeFront;
    }

    /// <summary>The front's: new slots for a connection, all free; null where shared memory cannot be had (the body then goes through the socket).</summary>
    public static BodySlots? TryCreate()
    {
        if (!SharedMemory.IsSupported)
        {
            return null;
        }
        SafeFileHandle? file = null;
        SharedMapping? mapping = null;
        try
        {
            file = SharedMemory.Create("wsgihost-request-body", Bytes);
            mapping = SharedMemory.Map(file, Bytes);
            (Socket wakeup, SafeFileHandle peer) = SocketPairs.Create();
            return new BodySlots(mapping, file, wakeup, peer, wakeFront: null);
        }
        catch (IOException)
        {
            mapping?.Dispose();
            file?.Dispose();
            return null;
        }
    }

    /// <summary>
    /// The worker's: maps the slots the front passed with <see cref="DaemonProtocol.SlotsAttached"/>
    /// (the memory, then the worker's end of the wake-up pair), which it then owns.
    /// </summary>
    /// <exception cref="InvalidDataException">Not the two descriptors, or not sealed shared memory of <see cref="Bytes"/> bytes.</exception>
    /// <exception cref="IOException">It could not be mapped.</exception>
    public static BodySlots Map(SafeFileHandle[] passed)
    {
        try
        {
            if (passed.Length != 2)
            {
                throw new InvalidDataException($"{passed.Length} descriptors passed for a connection's shared memory, not 2");
            }
            using SafeFileHandle file = passed[0];
            return new BodySlots(SharedMemory.MapReceived(file, Bytes), file: null, wakeup: null, peer: null, wakeFront: passed[1]);
        }
        catch
        {
            foreach (SafeFileHandle handle in passed)
            {
                handle.Dispose();
            }
            throw;
        }
    }

    /// <summary>The front's: what to pass to the worker (<see cref="DescriptorPassing.TrySend"/>), until <see cref="Passed"/>.</summary>
    public SafeHandle[] ToPass => _file != null && _peer != null ? [_file, _peer] : throw new InvalidOperationException("the slots were passed already");

    /// <summary>The front's: the worker has the file and its end of the pair; the front keeps its mapping and its end.</summary>
    public void Passed()
    {
        _file?.Dispose();
        _file = null;
        _peer?.Dispose();
        _peer = null;
    }

    /// <summary>The front's: takes the next slot, waiting until the worker frees it.</summary>
    /// <exception cref="IOException">The worker went away while the front waited.</exception>
    public async ValueTask<int> TakeAsync(CancellationToken aborted)
    {
        while (true)
        {
            if (TryTake(out int slot))
            {
                return slot;
            }
            // The slot whose freeing leaves half of them free (the ring's oldest is _next).
            int wakeAt = ((_next + Count / 2 - 1) % Count) + 1;
            if (ArmThenTryTake(wakeAt, out slot))
            {
                return slot;
            }
            if (await _wakeup!.ReceiveAsync(_woken, SocketFlags.None, aborted).ConfigureAwait(false) == 0)
            {
                throw new IOException("the daemon worker closed the connection's shared memory while the front waited for room in it");
            }
        }
    }

    /// <summary>The front's: takes the next slot when it is free, without waiting.</summary>
    public bool TryTake(out int slot)
    {
        if (_next != 0 && _lastFilled >= 0 && IsFree(_lastFilled))
        {
            // The worker frees slots in the order they were filled: with the last one free, none
            // is in use, and the ring starts again at the first slot. A body the worker keeps up
            // with then goes through one slot, whose pages stay resident and in cache, instead of
            // touching all of them (512 KiB of shared memory a connection, counted in the front's
            // and the worker's resident memory both).
            _next = 0;
        }
        slot = _next;
        using (SharedMapping.Scope state = _mapping.Access(StateOffset(slot), sizeof(int)))
        {
            if (Volatile.Read(ref state.Word) != 0)
            {
                return false;
            }
            // The worker wrote 0 after its last read: what the front writes now is not being read.
            Volatile.Write(ref state.Word, 1);
        }
        _lastFilled = slot;
        _next = (_next + 1) % Count;
        return true;
    }

    private bool IsFree(int slot)
    {
        using SharedMapping.Scope state = _mapping.Access(StateOffset(slot), sizeof(int));
        return Volatile.Read(ref state.Word) == 0;
    }

    /// <summary>Says which slot should wake the front, then looks again: a slot freed before the worker could see that is found here.</summary>
    private bool ArmThenTryTake(int wakeAt, out int slot)
    {
        using SharedMapping.Scope wake = _mapping.Access(WakeOffset, sizeof(int));
        // Both sides write, then read the other's word, each with a full fence between
        // (Interlocked): one of them sees the other's write, so no wake-up is lost.
        Interlocked.Exchange(ref wake.Word, wakeAt);
        if (!TryTake(out slot))
        {
            return false;
        }
        Interlocked.CompareExchange(ref wake.Word, 0, wakeAt);
        return true;
    }

    /// <summary>The front's: copies a piece of the body (at most <see cref="SlotBytes"/>) into a slot it took.</summary>
    public void Fill(int slot, in ReadOnlySequence<byte> piece)
    {
        using SharedMapping.Scope bytes = _mapping.Access(SlotOffset(slot), (int)piece.Length);
        piece.CopyTo(bytes.Bytes);
    }

    /// <summary>The worker's: copies bytes of a chunk out of a slot.</summary>
    public void Read(int slot, int offset, Span<byte> destination)
    {
        using SharedMapping.Scope bytes = _mapping.Access(SlotOffset(slot) + offset, destination.Length);
        bytes.Bytes.CopyTo(destination);
    }

    /// <summary>The worker's: done with a slot's chunk; the front may fill it again, and is woken if it waits for this one.</summary>
    public void Release(int slot)
    {
        using (SharedMapping.Scope state = _mapping.Access(StateOffset(slot), sizeof(int)))
        {
            Interlocked.Exchange(ref state.Word, 0);
        }
        using SharedMapping.Scope wake = _mapping.Access(WakeOffset, sizeof(int));
        if (Volatile.Read(ref wake.Word) == slot + 1 && Interlocked.CompareExchange(ref wake.Word, 0, slot + 1) == slot + 1)
        {
            // A full buffer (0 sent) holds wake-ups the front has not read yet: it wakes anyway.
            GatherSend.TrySend(_wakeFront!, [1], []);
        }
    }

    /// <summary>Whether a slot number and length from the front name a chunk inside the slots.</summary>
    public static bool IsValid(uint slot, uint length) => slot < Count && length is > 0 and <= SlotBytes;

    public void Dispose()
    {
        Passed();
        _wakeup?.Dispose();
        _wakeFront?.Dispose();
        _mapping.Dispose();
    }

    private static long StateOffset(int slot) => (long)slot * StateStride;

    private static long SlotOffset(int slot) => StatePageBytes + (long)slot * SlotBytes;
}
