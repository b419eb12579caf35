using System.Runtime.InteropServices;

namespace WsgiHost.Python.Interop;

/// <summary>
/// The segments that the executable and the shared libraries this process has loaded map
/// without write permission (code, constant data), as the dynamic loader placed them: visited
/// with the loader's lock held (<c>dl_iterate_phdr</c>), so that no library is being mapped or
/// unmapped while a visitor works on them. (ELF, 64-bit.)
/// </summary>
/// <remarks>
/// Why not <c>/proc/self/maps</c>: it shows a library being loaded on another thread half-way
/// (the loader first maps the whole file read-only, then maps its segments over that with their
/// own permissions and writes the relocations into the writable one), and it is read a few lines
/// at a time, so a range it calls read-only can hold a freshly written page by the time anything
/// acts on it. Dropping such pages (<c>MADV_DONTNEED</c>) undid the relocations of a library
/// loaded at that moment: a C program doing that in a loop while a thread loaded Python's
/// extension modules crashed (SIGSEGV) in 7 of 9 runs of 10-15 s, and in none of 16 when it
/// visited the segments under the loader's lock instead.
/// </remarks>
internal static unsafe class LoadedImageSegments
{
    private const uint PT_LOAD = 1;
    private const uint PF_W = 2;

    // struct dl_phdr_info (64-bit): dlpi_addr at 0, dlpi_name at 8, dlpi_phdr at 16, dlpi_phnum (u16) at 24.
    private const int PhdrOffset = 16;
    private const int PhnumOffset = 24;

    // Elf64_Phdr: p_type (u32) at 0, p_flags (u32) at 4, p_vaddr at 16, p_memsz at 40; 56 bytes.
    private const int PhdrSize = 56;

    private static readonly ulong s_pageSize = (ulong)Environment.SystemPageSize;

    /// <summary>Whether this process can list its loaded segments (64-bit Linux).</summary>
    public static bool IsSupported => OperatingSystem.IsLinux() && IntPtr.Size == 8;

    /// <summary>
    /// Calls <paramref name="visit"/> with the start and end address (page-aligned) of each loaded
    /// segment that is mapped without write permission, while the dynamic loader's lock is held: no library
    /// is loaded or unloaded until this returns, so the visitor must be quick and must not wait
    /// for another thread. An exception from the visitor ends the walk and is rethrown here.
    /// </summary>
    public static void Visit<TState>(ref TState state, SegmentVisitor<TState> visit)
    {
        if (!IsSupported)
        {
            return;
        }
        var walk = new Walk<TState>(state, visit);
        GCHandle handle = GCHandle.Alloc(walk);
        try
        {
            dl_iterate_phdr(&OnImage, (void*)GCHandle.ToIntPtr(handle));
        }
        finally
        {
            handle.Free();
        }
        state = walk.State;
        if (walk.Failure != null)
        {
            throw new InvalidOperationException("visiting the loaded segments failed", walk.Failure);
        }
    }

    [UnmanagedCallersOnly]
    private static int OnImage(byte* info, nuint size, void* data)
    {
        // Never let an exception unwind into the loader: it would end the process.
        var walk = (IWalk)GCHandle.FromIntPtr((nint)data).Target!;
        try
        {
            ulong baseAddress = *(ulong*)info;
            byte* headers = *(byte**)(info + PhdrOffset);
            int count = *(ushort*)(info + PhnumOffset);
            // All read before the first visit: the headers lie in the image's first page, which
            // a visitor that drops pages would otherwise fault back in (with its neighbours).
            Span<(ulong Start, ulong End)> segments = stackalloc (ulong, ulong)[count];
            int found = 0;
            for (int i = 0; i < count; i++)
            {
                byte* header = headers + i * PhdrSize;
                if (*(uint*)header != PT_LOAD || (*(uint*)(header + 4) & PF_W) != 0)
                {
                    continue;
                }
                // The whole pages that hold it: the loader maps a segment page by page, and no
                // two segments share a page (one mapping has one permission).
                ulong start = baseAddress + *(ulong*)(header + 16);
                ulong end = start + *(ulong*)(header + 40);
                segments[found++] = (start & ~(s_pageSize - 1), (end + s_pageSize - 1) & ~(s_pageSize - 1));
            }
            foreach ((ulong start, ulong end) in segments[..found])
            {
                walk.Segment(start, end);
            }
            return 0;
        }
        catch (Exception e)
        {
            walk.Fail(e);
            return 1;
        }
    }

    private interface IWalk
    {
        void Segment(ulong start, ulong end);

        void Fail(Exception e);
    }

    private sealed class Walk<TState>(TState state, SegmentVisitor<TState> visit) : IWalk
    {
        public TState State = state;

        public Exception? Failure;

        public void Segment(ulong start, ulong end) => visit(ref State, start, end);

        public void Fail(Exception e) => Failure = e;
    }

    [DllImport("libc", EntryPoint = "dl_iterate_phdr")]
    private static extern int dl_iterate_phdr(delegate* unmanaged<byte*, nuint, void*, int> callback, void* data);
}

/// <summary>Visits one loaded segment, [start, end), of a <see cref="LoadedImageSegments"/> walk.</summary>
internal delegate void SegmentVisitor<TState>(ref TState state, ulong start, ulong end);
