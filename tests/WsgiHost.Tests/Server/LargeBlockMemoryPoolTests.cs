using System.Buffers;
using System.Runtime.InteropServices;
using WsgiHost.Server;

namespace WsgiHost.Tests.Server;

public sealed class LargeBlockMemoryPoolTests
{
    [Fact]
    public void EveryBlockIs32KiBOfPrePinnedMemory()
    {
        using var pool = new LargeBlockMemoryPool();
        Assert.Equal(32 * 1024, pool.MaxBufferSize);
        using IMemoryOwner<byte> small = pool.Rent(1);
        using IMemoryOwner<byte> any = pool.Rent();
        Assert.Equal(32 * 1024, small.Memory.Length);
        Assert.Equal(32 * 1024, any.Memory.Length);
        // Sockets pin the memory of every operation: pre-pinned memory needs no handle.
        Assert.True(MemoryMarshal.TryGetArray<byte>(small.Memory, out ArraySegment<byte> array));
        Assert.Equal(32 * 1024, array.Count);
    }

    [Fact]
    public void AReturnedBlockIsHandedOutAgain()
    {
        using var pool = new LargeBlockMemoryPool();
        IMemoryOwner<byte> first = pool.Rent(4096);
        first.Memory.Span[0] = 42;
        first.Dispose();
        using IMemoryOwner<byte> second = pool.Rent(4096);
        Assert.Same(first, second);
        using IMemoryOwner<byte> third = pool.Rent(4096);
        Assert.NotSame(second, third);
    }

    [Fact]
    public void MoreThanABlockIsRefused()
    {
        using var pool = new LargeBlockMemoryPool();
        Assert.Throws<ArgumentOutOfRangeException>(() => pool.Rent(32 * 1024 + 1));
    }
}
