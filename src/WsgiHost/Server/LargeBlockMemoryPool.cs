using System.Buffers;
using System.Runtime.InteropServices;
using Microsoft.AspNetCore.Connections;

namespace WsgiHost.Server;

/// <summary>
/// The memory pool Kestrel's socket transport reads into and writes from, with 128 KiB blocks
/// instead of Kestrel's 4 KiB. The transport receives into one block at a time (a zero-byte
/// receive to wait for data, then one receive into the block), so the block size sets the
/// system calls and pipe wake-ups an upload costs: with 4 KiB a 1 MiB upload took 256 receive
/// calls, with 32 KiB 66. At 128 KiB (1 MiB uploads, embedded, wrk -c32, 3 interleaved runs
/// of 8 s): 507, 512, 534 -> 334, 445, 312 us of CPU a request (64 KiB: 413, 487, 374; 256 KiB
/// gained little more: 2 pairs, 297 and 292 against 305 and 339), for 3-5 MB more RSS while
/// 32 uploads run (the transport may run up to a block past the read-ahead). Hello and
/// streamed downloads were unchanged, within noise. What connections hold grew far less than
/// the blocks, as a block's pages become resident only where written (bench/connmem.sh, 2
/// runs each): 1,000 idle keep-alive connections +6.9, +7.5 MB with 32 KiB blocks, +7.5, +6.2
/// with 128 KiB; 1,000 clients that sent half a request head +6.3, +4.6 against +9.9, +7.0
/// (about 3 KB more a connection, not 96). The block returned last is
/// handed out first, while its lines are likeliest still in the CPU's cache: handing out the
/// least recently returned one (a queue) cycled every receive and response through megabytes
/// of cold blocks (1 MiB uploads, wrk -c32, embedded, 3 interleaved pairs: 550-640 against
/// 500-570 us of CPU a request).
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
    public const int BlockSize = 128 * 1024;

    /// <summary>
    /// Free blocks kept for reuse, up to 64 MiB: each connection may buffer up to its read-ahead
    /// (256 KiB or more) of a body ahead of the app, so 32 clients uploading can hold that much
    /// at once. A block dropped here is garbage on the pinned object heap, which only a full
    /// collection frees: with a cap of 8 MiB (32 KiB blocks), uploads grew the server from 76
    /// to 156 MB.
    /// </summary>
    private const int MaxPooled = 64 * 1024 * 1024 / BlockSize;

    /// <summary>How long a free block must go unused before its pages go back to the kernel (between one and two of these).</summary>
    public static readonly TimeSpan ReleaseInterval = TimeSpan.FromSeconds(10);

    private readonly Lock _gate = new();

    /// <summary>
    /// Free blocks whose pages are resident, a ring of <see cref="MaxPooled"/> slots: the least
    /// recently returned at <see cref="_residentBottom"/>, the most recently returned on top.
    /// </summary>
    private readonly Block?[] _resident = new Block?[MaxPooled];
    private int _residentBottom;
    private int _residentCount;

    /// <summary>Free blocks whose pages were given back: a write faults them in again, zeroed.</summary>
    private readonly Stack<Block> _released = new();

    private readonly Timer? _releaseTimer;

    /// <summary>The fewest resident free blocks since the last release: that many went unused all along.</summary>
    private int _residentLowWater;

    /// <summary>The transport queues sharing the pool (<see cref="Factory"/>): it is freed when the last one disposes it.</summary>
    private int _users = 1;
    private bool _disposed;

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
    internal int ResidentFreeBlocks
    {
        get
        {
            lock (_gate)
            {
                return _residentCount;
            }
        }
    }

    /// <summary>Free blocks whose pages were given back to the kernel.</summary>
    internal int ReleasedFreeBlocks
    {
        get
        {
            lock (_gate)
            {
                return _released.Count;
            }
        }
    }

    public override IMemoryOwner<byte> Rent(int minBufferSize = -1)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(minBufferSize, BlockSize);
        lock (_gate)
        {
            if (_residentCount > 0)
            {
                // The block returned last: its lines are likeliest still in the cache.
                _residentCount--;
                int top = (_residentBottom + _residentCount) % MaxPooled;
                Block block = _resident[top]!;
                _resident[top] = null;
                _residentLowWater = Math.Min(_residentLowWater, _residentCount);
                return block;
            }
            if (_released.TryPop(out Block? released))
            {
                return released;
            }
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
        while (true)
        {
            Block block;
            lock (_gate)
            {
                if (_residentLowWater == 0 || _residentCount == 0 || _disposed)
                {
                    _residentLowWater = _residentCount;
                    return;
                }
                block = _resident[_residentBottom]!;
                _resident[_residentBottom] = null;
                _residentBottom = (_residentBottom + 1) % MaxPooled;
                _residentCount--;
                _residentLowWater--;
            }
            // madvise outside the lock, so the transport's rents and returns never wait for a
            // long release; meanwhile the block is in neither list, so nothing can rent it
            // while its pages go.
            block.ReleasePages();
            lock (_gate)
            {
                if (!_disposed)
                {
                    _released.Push(block);
                }
            }
        }
    }

    private void Return(Block block)
    {
        lock (_gate)
        {
            if (_disposed || _residentCount + _released.Count >= MaxPooled)
            {
                // Left to the GC.
                return;
            }
            _resident[(_residentBottom + _residentCount) % MaxPooled] = block;
            _residentCount++;
        }
    }

    /// <summary>One more user (a transport queue) shares the pool; false if it was disposed already.</summary>
    private bool TryAddUser()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return false;
            }
            _users++;
            return true;
        }
    }

    /// <summary>Each user disposes the pool as it stops; the last one frees it.</summary>
    protected override void Dispose(bool disposing)
    {
        lock (_gate)
        {
            if (--_users > 0)
            {
                return;
            }
            _disposed = true;
            Array.Clear(_resident);
            _residentCount = 0;
            _released.Clear();
        }
        _releaseTimer?.Dispose();
    }

    /// <summary>
    /// Makes the pool for Kestrel (registered in place of its own factory): one pool for the
    /// whole server, however many times the transport asks. Kestrel's socket transport asks once
    /// for every I/O queue of every listener (one queue a core here), and a connection takes the
    /// blocks of its queue's pool only, so with a pool each the free blocks of one queue sat idle
    /// while the other's connections made new ones: two pools each grew to the peak their half of
    /// the connections reached at some moment, and the server kept the sum of the two peaks.
    /// One process, 16 clients uploading 1 MiB (wrk -c16, echo): 35 and 34 blocks made by two
    /// pools, 9.5 MB of pinned heap; with one pool, see bench/README.md ("One pool").
    /// </summary>
    public sealed class Factory : IMemoryPoolFactory<byte>
    {
        private readonly Lock _gate = new();
        private LargeBlockMemoryPool? _shared;

        public MemoryPool<byte> Create(MemoryPoolOptions? options = null)
        {
            lock (_gate)
            {
                // A pool all its users disposed (every listener stopped) is not handed out again.
                if (_shared == null || !_shared.TryAddUser())
                {
                    _shared = new LargeBlockMemoryPool();
                }
                return _shared;
            }
        }
    }

    private sealed class Block : IMemoryOwner<byte>
    {
        private readonly LargeBlockMemoryPool _pool;
        private readonly byte[] _array;

        public Block(LargeBlockMemoryPool pool)
        {
            _pool = pool;
            _array = GC.AllocateUninitializedArray<byte>(BlockSize, pinned: true);
            Memory = MemoryMarshal.CreateFromPinnedArray(_array, 0, _array.Length);
        }

        /// <summary>Made once: the transport asks for it on every receive and send.</summary>
        public Memory<byte> Memory { get; }

        /// <summary>Back to the pool; the owner (a pipe segment) never touches it again.</summary>
        public void Dispose() => _pool.Return(this);

        /// <summary>
        /// Gives the whole pages inside the block's data back to the kernel. The array stays
        /// alive and pinned, and a byte array holds nothing the GC reads, so the collector never
        /// sees the difference; the page holding the array's header is left alone.
        /// </summary>
        public void ReleasePages() => PageRelease.Release(Marshal.UnsafeAddrOfPinnedArrayElement(_array, 0), _array.Length);
    }
}
