using System.Buffers;
using System.Buffers.Binary;
using Microsoft.Win32.SafeHandles;
using WsgiHost.Daemon;
using WsgiHost.Python.Interop;
using WsgiHost.Python.Runtime;
using WsgiHost.Tests.Interop;

namespace WsgiHost.Tests.Daemon;

/// <summary>
/// A connection's shared memory for request bodies, over a real Unix socket pair: passed with
/// its descriptors as the front passes it, mapped as the worker maps it, read by the worker's
/// own exchange; the front's wait for room and its end when the worker is gone.
/// </summary>
public sealed class BodySlotsTests : IDisposable
{
    private readonly UnixSocketPair _pair = new();

    public void Dispose() => _pair.Dispose();

    /// <summary>The front's slots and the worker's mapping of them, passed along the pair as the front passes them.</summary>
    private (BodySlots Front, BodySlots Worker) Passed()
    {
        BodySlots front = BodySlots.TryCreate() ?? throw new InvalidOperationException("no shared memory here");
        Assert.Equal(4, DescriptorPassing.TrySend(_pair.Connecting.SafeHandle, Marker(DaemonProtocol.SlotsAttached), front.ToPass));
        front.Passed();
        byte[] received = new byte[16];
        Assert.Equal(4, SocketReceive.Receive(_pair.Accepted.SafeHandle, received, out SafeFileHandle[]? passed));
        Assert.Equal(DaemonProtocol.SlotsAttached, BinaryPrimitives.ReadUInt32LittleEndian(received));
        Assert.NotNull(passed);
        return (front, BodySlots.Map(passed));
    }

    private static byte[] Marker(uint marker)
    {
        byte[] bytes = new byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(bytes, marker);
        return bytes;
    }

    private static byte[] SlotChunk(int slot, int length)
    {
        byte[] bytes = new byte[DaemonProtocol.SlotChunkBytes];
        DaemonProtocol.WriteSlotChunk(bytes, slot, length);
        return bytes;
    }

    [Fact]
    public void WhatTheFrontFillsTheWorkerReadsAndFreesInRingOrder()
    {
        var (front, worker) = Passed();
        using (front)
        using (worker)
        {
            for (int slot = 0; slot < BodySlots.Count; slot++)
            {
                Assert.True(front.TryTake(out int taken));
                Assert.Equal(slot, taken);
                front.Fill(taken, new ReadOnlySequence<byte>(new byte[] { (byte)(slot + 1), 42 }));
            }
            Assert.False(front.TryTake(out _)); // all hold chunks
            byte[] read = new byte[2];
            worker.Read(0, 0, read);
            Assert.Equal(new byte[] { 1, 42 }, read);
            worker.Read(BodySlots.Count - 1, 1, read.AsSpan(0, 1));
            Assert.Equal(42, read[0]);
            worker.Release(0);
            Assert.True(front.TryTake(out int again));
            Assert.Equal(0, again);
            Assert.False(front.TryTake(out _)); // slot 1 is next, and still holds its chunk
        }
    }

    /// <summary>
    /// Once the worker has freed every slot filled so far, the front starts again at the first:
    /// a body the worker keeps up with goes through one slot (its pages the only ones resident);
    /// while a chunk is still held, the ring goes on.
    /// </summary>
    [Fact]
    public void TheFrontStartsAgainAtTheFirstSlotWhenTheWorkerHasFreedThemAll()
    {
        var (front, worker) = Passed();
        using (front)
        using (worker)
        {
            for (int i = 0; i < 3; i++)
            {
                Assert.True(front.TryTake(out int taken));
                Assert.Equal(0, taken);
                worker.Release(taken);
            }
            Assert.True(front.TryTake(out int first));
            Assert.True(front.TryTake(out int second));
            Assert.Equal((0, 1), (first, second));
            worker.Release(0);
            Assert.True(front.TryTake(out int third));
            Assert.Equal(2, third); // slot 1 still holds its chunk
            worker.Release(1);
            worker.Release(2);
            Assert.True(front.TryTake(out int again));
            Assert.Equal(0, again);
        }
    }

    [Fact]
    public async Task TheFrontWaitsUntilHalfTheSlotsAreFreeThenTakesTheOldest()
    {
        var (front, worker) = Passed();
        using (front)
        using (worker)
        {
            for (int i = 0; i < BodySlots.Count; i++)
            {
                Assert.True(front.TryTake(out _));
            }
            ValueTask<int> waiting = front.TakeAsync(CancellationToken.None);
            for (int slot = 0; slot < BodySlots.Count / 2 - 1; slot++)
            {
                worker.Release(slot);
            }
            await Task.Delay(200);
            Assert.False(waiting.IsCompleted); // one short of half: no wake-up yet
            worker.Release(BodySlots.Count / 2 - 1);
            Assert.Equal(0, await waiting.AsTask().WaitAsync(TimeSpan.FromSeconds(10)));
        }
    }

    [Fact]
    public async Task AWaitEndsWithAnErrorWhenTheWorkersEndCloses()
    {
        var (front, worker) = Passed();
        using (front)
        {
            for (int i = 0; i < BodySlots.Count; i++)
            {
                Assert.True(front.TryTake(out _));
            }
            Task<int> waiting = front.TakeAsync(CancellationToken.None).AsTask();
            await Task.Delay(100);
            Assert.False(waiting.IsCompleted);
            worker.Dispose(); // the worker process ended
            await Assert.ThrowsAsync<IOException>(() => waiting.WaitAsync(TimeSpan.FromSeconds(10)));
        }
    }

    /// <summary>
    /// The worker's own exchange reads a body whose chunks came both ways (a piece through the
    /// socket between pieces in slots, in order), many times the slots' size, while the front
    /// waits for room; then the connection is at the next request.
    /// </summary>
    [Fact]
    public async Task TheWorkersExchangeReadsABodyOfSlotAndSocketChunksInOrder()
    {
        using var loop = new ReadinessLoop("test-events", new NullLog());
        using var input = new FrontConnectionInput(_pair.Accepted, loop);
        BodySlots front = BodySlots.TryCreate()!;
        using (front)
        {
            byte[] body = new byte[3 * BodySlots.Count * BodySlots.SlotBytes + 12345];
            new Random(3).NextBytes(body);
            Task sending = Task.Run(async () =>
            {
                Assert.Equal(4, DescriptorPassing.TrySend(_pair.Connecting.SafeHandle, Marker(DaemonProtocol.SlotsAttached), front.ToPass));
                front.Passed();
                int at = 0;
                for (int i = 0; at < body.Length; i++)
                {
                    int n = Math.Min(body.Length - at, BodySlots.SlotBytes);
                    if (i == 3)
                    {
                        // Through the socket, as when shared memory could not be had.
                        var inline = new MemoryStream();
                        DaemonProtocol.WriteChunk(inline, body.AsSpan(at, 1000));
                        _pair.Connecting.Send(inline.ToArray());
                        at += 1000;
                        continue;
                    }
                    int slot = await front.TakeAsync(CancellationToken.None);
                    front.Fill(slot, new ReadOnlySequence<byte>(body, at, n));
                    _pair.Connecting.Send(SlotChunk(slot, n));
                    at += n;
                }
                _pair.Connecting.Send(Marker(0));
                _pair.Connecting.Send("next"u8);
            });
            var exchange = new WorkerExchange(input, Stream.Null, [], isHead: false, "test");
            var read = new MemoryStream();
            byte[] buffer = new byte[40_000]; // not a slot's size: chunks are read in pieces
            int got;
            while ((got = await Task.Run(() => exchange.ReadBody(buffer))) > 0)
            {
                read.Write(buffer, 0, got);
            }
            await sending.WaitAsync(TimeSpan.FromSeconds(10));
            Assert.Equal(body, read.ToArray());
            Assert.True(exchange.DrainBody());
            byte[] next = new byte[4];
            input.ReadExactly(next);
            Assert.Equal("next"u8.ToArray(), next);
            Assert.NotNull(input.Slots);
            for (int i = 0; i < BodySlots.Count; i++)
            {
                Assert.True(front.TryTake(out _)); // every slot freed by the worker
            }
        }
    }

    [Fact]
    public void ABodyThatLeavesItsRestUnreadFreesItsSlotsWhenDrained()
    {
        using var loop = new ReadinessLoop("test-events", new NullLog());
        using var input = new FrontConnectionInput(_pair.Accepted, loop);
        using BodySlots front = BodySlots.TryCreate()!;
        Assert.Equal(4, DescriptorPassing.TrySend(_pair.Connecting.SafeHandle, Marker(DaemonProtocol.SlotsAttached), front.ToPass));
        front.Passed();
        for (int i = 0; i < BodySlots.Count; i++)
        {
            Assert.True(front.TryTake(out int slot));
            front.Fill(slot, new ReadOnlySequence<byte>(new byte[100]));
            _pair.Connecting.Send(SlotChunk(slot, 100));
        }
        _pair.Connecting.Send(Marker(0));
        var exchange = new WorkerExchange(input, Stream.Null, [], isHead: false, "test");
        Assert.Equal(10, exchange.ReadBody(new byte[10])); // the app read a little
        Assert.True(exchange.DrainBody());
        for (int i = 0; i < BodySlots.Count; i++)
        {
            Assert.True(front.TryTake(out _));
        }
    }

    [Fact]
    public void SlotsAnnouncedWithoutDescriptorsOrOnAConnectionThatCannotReceiveThemAreRefused()
    {
        using var loop = new ReadinessLoop("test-events", new NullLog());
        using var input = new FrontConnectionInput(_pair.Accepted, loop);
        _pair.Connecting.Send(Marker(DaemonProtocol.SlotsAttached)); // a plain send: nothing attached
        var exchange = new WorkerExchange(input, Stream.Null, [], isHead: false, "test");
        Assert.Throws<InvalidDataException>(() => exchange.ReadBody(new byte[10]));

        var noSlots = new MemoryStream(SlotChunk(0, 10));
        Assert.Throws<InvalidDataException>(() => new WorkerExchange(noSlots, Stream.Null, [], isHead: false, "test").ReadBody(new byte[10]));
    }

    [Theory]
    [InlineData(BodySlots.Count, 10)]
    [InlineData(0, 0)]
    [InlineData(0, BodySlots.SlotBytes + 1)]
    public void ASlotChunkOutsideTheSlotsIsRefused(int slot, int length)
    {
        byte[] chunk = SlotChunk(slot, length);
        var stream = new MemoryStream(chunk);
        Assert.Equal(DaemonProtocol.SlotChunk, DaemonProtocol.ReadRequestChunkHeader(stream));
        Assert.Throws<InvalidDataException>(() => DaemonProtocol.ReadSlotChunk(stream));
    }

    [Fact]
    public void TheMarkersOfEachDirectionAreRefusedInTheOther()
    {
        Assert.Throws<InvalidDataException>(() => DaemonProtocol.ReadRequestChunkHeader(new MemoryStream(Marker(DaemonProtocol.End))));
        Assert.Throws<InvalidDataException>(() => DaemonProtocol.ReadRequestChunkHeader(new MemoryStream(Marker(DaemonProtocol.Abort))));
        Assert.Throws<InvalidDataException>(() => DaemonProtocol.ChunkHeader(Marker(DaemonProtocol.SlotChunk)));
        Assert.Throws<InvalidDataException>(() => DaemonProtocol.ReadChunkHeader(new MemoryStream(Marker(DaemonProtocol.SlotsAttached))));
    }

    [Fact]
    public void OnlySealedSharedMemoryOfTheExpectedSizeIsMapped()
    {
        string path = Path.GetTempFileName();
        try
        {
            using (SafeFileHandle plain = File.OpenHandle(path, FileMode.Open, FileAccess.ReadWrite))
            {
                RandomAccess.SetLength(plain, BodySlots.Bytes);
                Assert.Throws<InvalidDataException>(() => SharedMemory.MapReceived(plain, BodySlots.Bytes));
            }
        }
        finally
        {
            File.Delete(path);
        }
        using SafeFileHandle other = SharedMemory.Create("test", BodySlots.Bytes + 4096);
        Assert.Throws<InvalidDataException>(() => SharedMemory.MapReceived(other, BodySlots.Bytes));
        // The seals hold for whoever has the descriptor: a worker cannot cut the front's memory short.
        Assert.ThrowsAny<Exception>(() => RandomAccess.SetLength(other, 4096));
        Assert.Equal(BodySlots.Bytes + 4096, RandomAccess.GetLength(other));
    }

    [Fact]
    public void AMappingDisposedDuringAnAccessStaysUntilTheAccessEnds()
    {
        using SafeFileHandle file = SharedMemory.Create("test", 4096);
        SharedMapping mapping = SharedMemory.Map(file, 4096);
        SharedMapping.Scope access = mapping.Access(0, 16);
        mapping.Dispose();
        access.Bytes.Fill(7); // still mapped: a copy under way finishes
        Assert.Equal(7, access.Bytes[15]);
        access.Dispose();
        Assert.Throws<ObjectDisposedException>(() => mapping.Access(0, 16));
    }
}
