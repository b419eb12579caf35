using System.Buffers;
using System.Runtime.InteropServices;
using WsgiHost.Server;

namespace WsgiHost.Tests.Server;

public sealed class LargeBlockMemoryPoolTests
{
    [Fact]
    public void EveryBlockIs128KiBOfPrePinnedMemory()
    {
        using var pool = new LargeBlockMemoryPool();
        Assert.Equal(128 * 1024, pool.MaxBufferSize);
        using IMemoryOwner<byte> small = pool.Rent(1);
        using IMemoryOwner<byte> any = pool.Rent();
        Assert.Equal(128 * 1024, small.Memory.Length);
        Assert.Equal(128 * 1024, any.Memory.Length);
        // Sockets pin the memory of every operation: pre-pinned memory needs no handle.
        Assert.True(MemoryMarshal.TryGetArray<byte>(small.Memory, out ArraySegment<byte> array));
        Assert.Equal(128 * 1024, array.Count);
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
    public void TheBlockReturnedLastIsHandedOutFirst()
    {
        // Its lines are likeliest still in the CPU's cache for the next receive or response.
        using var pool = new LargeBlockMemoryPool(Timeout.InfiniteTimeSpan);
        IMemoryOwner<byte> older = pool.Rent();
        IMemoryOwner<byte> newer = pool.Rent();
        older.Dispose();
        newer.Dispose();
        IMemoryOwner<byte> first = pool.Rent();
        IMemoryOwner<byte> second = pool.Rent();
        Assert.Same(newer, first);
        Assert.Same(older, second);
        first.Dispose();
        second.Dispose();
    }

    [Fact]
    public void MoreThanABlockIsRefused()
    {
        using var pool = new LargeBlockMemoryPool();
        Assert.Throws<ArgumentOutOfRangeException>(() => pool.Rent(128 * 1024 + 1));
    }

    [Fact]
    public void FreeBlocksUnusedThroughAWholeIntervalGiveTheirPagesBack()
    {
        using var pool = new LargeBlockMemoryPool(Timeout.InfiniteTimeSpan);
        List<IMemoryOwner<byte>> blocks = [.. Enumerable.Range(0, 64).Select(_ => pool.Rent())];
        List<byte[]> arrays = [.. blocks.Select(ArrayOf)];
        blocks.ForEach(b => b.Memory.Span.Fill(0xAB));
        blocks.ForEach(b => b.Dispose());
        Assert.Equal(64, pool.ResidentFreeBlocks);
        Assert.All(arrays, a => Assert.Equal(InteriorPages(a).Count, ResidentInteriorPages(a)));

        // They were in use during this first interval: kept.
        pool.ReleaseIdle();
        Assert.Equal(64, pool.ResidentFreeBlocks);
        Assert.All(arrays, a => Assert.Equal(InteriorPages(a).Count, ResidentInteriorPages(a)));

        // Unused through the whole next one: their pages go back to the kernel (mincore says so).
        pool.ReleaseIdle();
        Assert.Equal(0, pool.ResidentFreeBlocks);
        Assert.Equal(64, pool.ReleasedFreeBlocks);
        Assert.All(arrays, a => Assert.Equal(0, ResidentInteriorPages(a)));

        // A released block is handed out again and holds what is written to it.
        IMemoryOwner<byte> again = pool.Rent();
        Assert.Contains(ArrayOf(again), arrays);
        again.Memory.Span.Fill(7);
        Assert.All(again.Memory.ToArray(), b => Assert.Equal(7, b));
        again.Dispose();
        Assert.Equal(1, pool.ResidentFreeBlocks);
    }

    [Fact]
    public void BlocksTheTrafficNeededDuringTheIntervalStayResident()
    {
        using var pool = new LargeBlockMemoryPool(Timeout.InfiniteTimeSpan);
        List<IMemoryOwner<byte>> blocks = [.. Enumerable.Range(0, 10).Select(_ => pool.Rent())];
        blocks.ForEach(b => b.Memory.Span.Fill(1));
        blocks.ForEach(b => b.Dispose());
        pool.ReleaseIdle();

        // Six at once were needed in this interval: four stayed free all along.
        List<IMemoryOwner<byte>> busy = [.. Enumerable.Range(0, 6).Select(_ => pool.Rent())];
        busy.ForEach(b => b.Dispose());
        pool.ReleaseIdle();
        Assert.Equal(6, pool.ResidentFreeBlocks);
        Assert.Equal(4, pool.ReleasedFreeBlocks);

        // The ones released are those returned least recently (not the six just used).
        Assert.All(busy.Select(ArrayOf), a => Assert.Equal(InteriorPages(a).Count, ResidentInteriorPages(a)));
    }

    [Fact]
    public void ThePoolReleasesIdleBlocksByItself()
    {
        using var pool = new LargeBlockMemoryPool(TimeSpan.FromMilliseconds(20));
        List<IMemoryOwner<byte>> blocks = [.. Enumerable.Range(0, 8).Select(_ => pool.Rent())];
        List<byte[]> arrays = [.. blocks.Select(ArrayOf)];
        blocks.ForEach(b => b.Memory.Span.Fill(3));
        blocks.ForEach(b => b.Dispose());

        // Two ticks of its timer at the least; the test waits up to 10 s for a loaded machine.
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (pool.ReleasedFreeBlocks < 8 && DateTime.UtcNow < deadline)
        {
            Thread.Sleep(20);
        }
        Assert.Equal(8, pool.ReleasedFreeBlocks);
        Assert.All(arrays, a => Assert.Equal(0, ResidentInteriorPages(a)));
    }

    [Fact]
    public void TheFactoryHandsEveryTransportQueueTheSamePool()
    {
        // Kestrel asks once for each I/O queue of each listener; a block one queue's connection
        // returned serves the next connection of any queue.
        var factory = new LargeBlockMemoryPool.Factory();
        MemoryPool<byte> first = factory.Create();
        MemoryPool<byte> second = factory.Create();
        Assert.Same(first, second);
        IMemoryOwner<byte> block = first.Rent();
        block.Dispose();
        using IMemoryOwner<byte> again = second.Rent();
        Assert.Same(block, again);
        first.Dispose();
        second.Dispose();
    }

    [Fact]
    public void ASharedPoolIsFreedWhenItsLastUserDisposesIt()
    {
        var factory = new LargeBlockMemoryPool.Factory();
        MemoryPool<byte> one = factory.Create();
        MemoryPool<byte> two = factory.Create();

        // One listener stopped: the other still gets its blocks back for reuse.
        one.Dispose();
        IMemoryOwner<byte> block = two.Rent();
        block.Dispose();
        IMemoryOwner<byte> again = two.Rent();
        Assert.Same(block, again);

        // The last one stopped: a block returned after that is left to the GC, not kept.
        two.Dispose();
        again.Dispose();
        using IMemoryOwner<byte> fresh = two.Rent();
        Assert.NotSame(again, fresh);

        // A server started again on the same factory gets a pool of its own, not the freed one.
        using MemoryPool<byte> next = factory.Create();
        Assert.NotSame(two, next);
    }

    private static byte[] ArrayOf(IMemoryOwner<byte> block)
    {
        Assert.True(MemoryMarshal.TryGetArray<byte>(block.Memory, out ArraySegment<byte> segment));
        return segment.Array!;
    }

    /// <summary>The whole pages inside the array's data (the pinned array never moves).</summary>
    private static (nint Start, int Count) InteriorPages(byte[] array)
    {
        long page = Environment.SystemPageSize;
        long start = Marshal.UnsafeAddrOfPinnedArrayElement(array, 0);
        long first = (start + page - 1) / page * page;
        long end = (start + array.Length) / page * page;
        return ((nint)first, (int)((end - first) / page));
    }

    private static int ResidentInteriorPages(byte[] array)
    {
        var (start, count) = InteriorPages(array);
        byte[] resident = new byte[count];
        Assert.Equal(0, mincore(start, (nuint)(count * Environment.SystemPageSize), resident));
        return resident.Count(r => (r & 1) != 0);
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int mincore(nint address, nuint length, byte[] residency);
}
