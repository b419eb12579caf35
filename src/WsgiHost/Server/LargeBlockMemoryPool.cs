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
/// pool does), so a socket operation on them needs no pinning handle. Up to <see cref="MaxPooled"/>
/// free blocks are kept; more are left to the GC.
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

    private readonly ConcurrentQueue<Block> _free = new();
    private int _freeCount;
    private volatile bool _disposed;

    public override int MaxBufferSize => BlockSize;

    public override IMemoryOwner<byte> Rent(int minBufferSize = -1)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(minBufferSize, BlockSize);
        if (_free.TryDequeue(out Block? block))
        {
            Interlocked.Decrement(ref _freeCount);
            return block;
        }
        return new Block(this);
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
        _free.Enqueue(block);
    }

    protected override void Dispose(bool disposing)
    {
        _disposed = true;
        _free.Clear();
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
    }
}
