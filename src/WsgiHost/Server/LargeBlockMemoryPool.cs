using System.Buffers;
using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using Microsoft.AspNetCore.Connections;

namespace WsgiHost.Server;

/// <summary>
/// The memory pool Kestrel's socket transport reads into and writes from, with 32 KiB blocks
/// instead of Kestrel's 4 KiB. The transport receives into one block at a time, so with 4 KiB
/// a 1 MiB upload took 256 receive calls, each one a trip through the pipe and a wake-up of
/// its reader; WSGI apps read bodies in large pieces anyway.
/// </summary>
/// <remarks>
/// Blocks are arrays on the pinned object heap, handed out as pre-pinned memory (as Kestrel's own
/// pool does), so a socket operation on them needs no pinning handle; the transport also needs
/// arrays, for sends gathered from several blocks. Up to <see cref="MaxPooled"/> free blocks are
/// kept; more are left to the GC. A burst of clients (a thousand uploads at once) leaves that
/// many blocks behind, so every <see cref="ReleaseInterval"/> the free blocks that no request
/// needed through the whole interval give their pages back to the kernel (<see cref="ReleaseIdle"/>):
/// the server's memory returns to what its traffic uses, which Kestrel's own pool does by
/// dropping blocks to the GC, though the pinned heap is only swept by a full collection that a
/// server allocating little seldom runs.
/// </remarks>
internal sealed class LargeBlockMemoryPool : MemoryPool<byte>
{
    public const int BlockSize = 32 * 1024;

    /// <summary>
    /// Free blocks kept for reuse, up to 64 MiB: each connection may buffer up to 1 MiB of a body
    /// ahead of the app, so 32 clients uploading can hold 1,024 blocks at once. A block dropped
    /// here is garbage on the pinned object heap, which only a full collection frees: with a cap
    /// of 256, uploads grew the server from 76 to 156 MB.
    /// </summary>
    private const int MaxPooled = 2048;

    /// <summary>How long a free block must go unused before its pages go back to the kernel (between one and two of these).</summary>
    public static readonly TimeSpan ReleaseInterval = TimeSpan.FromSeconds(10);

    /// <summary>Free blocks whose pages are resident, least recently returned first.</summary>
    private readonly ConcurrentQueue<Block> _resident = new();

    /// <summary>Free blocks whose pages were given back: a write faults them in again, zeroed.</summary>
    private readonly ConcurrentQueue<Block> _released = new();

    private readonly Timer? _releaseTimer;
    private int _freeCount;
    private int _residentCount;

    /// <summary>The fewest resident free blocks since the last release: that many went unused all along.</summary>
    private int _residentLowWater;
    private volatile bool _disposed;

    /// <summary>A pool that releases idle blocks every <see cref="ReleaseInterval"/>.</summary>
    public LargeBlockMemoryPool()
        : this(ReleaseInterval)
    {
    }

    /// <param name="releaseInterval">How often <see cref="ReleaseIdle"/> runs; <see cref="Timeout.InfiniteTimeSpan"/>: never by itself.</param>
    internal LargeBlockMemoryPool(TimeSpan releaseInterval)
    {
        if (releaseInterval != Timeout.InfiniteTimeSpan)
        {
            _releaseTimer = new Timer(static pool => ((LargeBlockMemoryPool)pool!).ReleaseIdle(), this, releaseInterval, releaseInterval);
        }
    }

    public override int MaxBufferSize => BlockSize;

    /// <summary>Free blocks whose pages are resident.</summary>
    internal int ResidentFreeBlocks => Volatile.Read(ref _residentCount);

    /// <summary>Free blocks whose pages were given back to the kernel.</summary>
    internal int ReleasedFreeBlocks => _released.Count;

    public override IMemoryOwner<byte> Rent(int minBufferSize = -1)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(minBufferSize, BlockSize);
        if (_resident.TryDequeue(out Block? block))
        {
            Interlocked.Decrement(ref _freeCount);
            int resident = Interlocked.Decrement(ref _residentCount);
            int low;
            while (resident < (low = Volatile.Read(ref _residentLowWater)) && Interlocked.CompareExchange(ref _residentLowWater, resident, low) != low)
            {
            }
            return block;
        }
        if (_released.TryDequeue(out block))
        {
            Interlocked.Decrement(ref _freeCount);
            return block;
        }
        return new Block(this);
    }

    /// <summary>
    /// Gives the pages of the free blocks that stayed unused since the last call back to the
    /// kernel (they stay in the pool, and fault back in, zeroed, when written); the blocks
    /// returned least recently go first.
    /// </summary>
    internal void ReleaseIdle()
    {
        int idle = Volatile.Read(ref _residentLowWater);
        for (int i = 0; i < idle && !_disposed && _resident.TryDequeue(out Block? block); i++)
        {
            Interlocked.Decrement(ref _residentCount);
            block.ReleasePages();
            _released.Enqueue(block);
        }
        Volatile.Write(ref _residentLowWater, Volatile.Read(ref _residentCount));
    }

    private void Return(Block block)
    {
        if (_disposed)
        {
            return;
        }
        if (Interlocked.Increment(ref _freeCount) > MaxPooled)
        {
            Interlocked.Decrement(ref _freeCount);
            return;
        }
        Interlocked.Increment(ref _residentCount);
        _resident.Enqueue(block);
    }

    protected override void Dispose(bool disposing)
    {
        _disposed = true;
        _releaseTimer?.Dispose();
        _resident.Clear();
        _released.Clear();
    }

    /// <summary>Creates the pool for Kestrel (registered in place of its own factory).</summary>
    public sealed class Factory : IMemoryPoolFactory<byte>
    {
        public MemoryPool<byte> Create(MemoryPoolOptions? options = null) => new LargeBlockMemoryPool();
    }

    private sealed class Block(LargeBlockMemoryPool pool) : IMemoryOwner<byte>
    {
        private readonly byte[] _array = GC.AllocateUninitializedArray<byte>(BlockSize, pinned: true);

        public Memory<byte> Memory => MemoryMarshal.CreateFromPinnedArray(_array, 0, _array.Length);

        /// <summary>Back to the pool; the owner (a pipe segment) never touches it again.</summary>
        public void Dispose() => pool.Return(this);

        /// <summary>
        /// Gives the whole pages inside the block's data back to the kernel. The array stays
        /// alive and pinned, and a byte array holds nothing the GC reads, so the collector never
        /// sees the difference; the page holding the array's header is left alone.
        /// </summary>
        public void ReleasePages() => PageRelease.Release(Marshal.UnsafeAddrOfPinnedArrayElement(_array, 0), _array.Length);
    }
}
