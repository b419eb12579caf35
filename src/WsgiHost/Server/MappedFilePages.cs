using System.Globalization;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;
using WsgiHost.Python.Interop;

namespace WsgiHost.Server;

/// <summary>
/// The pages of files this process maps read-only (the code and constant data of its own
/// executable, of libpython and of every other library): once startup is over most of them are
/// never touched again, yet each stays counted in the process's resident memory. (Linux.)
/// </summary>
/// <remarks>
/// Why: a server process maps 12 MB of its executable and 4.5 MB of libpython, of which it
/// touches 3.5 MB and 0.35 MB while it serves (the Referenced column of /proc/PID/smaps after
/// <c>clear_refs</c>, under wrk): the rest is startup code, and the neighbours the kernel maps
/// around every page a fault touches (64 KiB, "fault-around"). Dropping those mappings is what
/// the kernel itself does to clean file pages under memory pressure: the page stays in the page
/// cache, shared with every process that maps the file, and a touch maps it back from there.
/// Pages of a private mapping that the process did write (relocations applied before the
/// mapping became read-only) are anonymous copies: pagemap says so, and those are kept, since
/// dropping them would bring back the file's bytes. Only the segments the loader has finished
/// placing are visited, under its lock (<see cref="LoadedImageSegments"/>): /proc/self/maps
/// also shows a library being loaded on another thread, whose relocations were lost.
/// </remarks>
internal static class MappedFilePages
{
    // /proc/PID/pagemap: one 64-bit entry a page. Bit 63: present; bit 61: a file page (or
    // shared anonymous memory), clear for the anonymous copy a write to a private mapping made.
    private const ulong Present = 1UL << 63;
    private const ulong FilePage = 1UL << 61;

    private static readonly Lock s_lock = new();

    /// <summary>This process's page map, opened once and kept: see <see cref="KeepPageMapOpen"/>.</summary>
    private static SafeFileHandle? s_pagemap;

    /// <summary>
    /// Opens /proc/self/pagemap now, for the rest of the process's life: once a process switches
    /// to another user the kernel makes it undumpable, and its /proc files root's, so a server
    /// started as root that becomes User (or a daemon worker that becomes user=) opens it first.
    /// Undumpable it stays: that keeps other processes of User from reading its memory (the TLS
    /// keys it read as root).
    /// </summary>
    public static void KeepPageMapOpen()
    {
        lock (s_lock)
        {
            OpenPageMap();
        }
    }

    /// <summary>
    /// Drops this process's mappings of the clean file pages in the segments its executable and
    /// libraries map without write permission (<see cref="LoadedImageSegments"/>, which holds the
    /// dynamic loader's lock meanwhile: no library is being mapped under it). Returns the bytes
    /// dropped (0 where the system has no /proc/self/pagemap, or the process could no longer
    /// open it).
    /// </summary>
    public static long ReleaseClean()
    {
        if (!OperatingSystem.IsLinux())
        {
            return 0;
        }
        lock (s_lock)
        {
            if (OpenPageMap() is not { } pagemap)
            {
                return 0;
            }
            try
            {
                // Every call the walk makes is bound now: binding one under the loader's lock would
                // wait for that lock (dlsym), held by a thread loading a library that waits for us.
                Span<ulong> first = stackalloc ulong[1];
                RandomAccess.Read(pagemap, MemoryMarshal.AsBytes(first), 0);
                PageRelease.Bind();
                var walk = (Pagemap: pagemap, Released: 0L);
                LoadedImageSegments.Visit(ref walk, static (ref (SafeFileHandle Pagemap, long Released) w, ulong start, ulong end) =>
                    w.Released += ReleaseClean(w.Pagemap, start, end));
                return walk.Released;
            }
            catch (InvalidOperationException e) when (e.InnerException is IOException or UnauthorizedAccessException)
            {
                return 0;
            }
        }
    }

    private static SafeFileHandle? OpenPageMap()
    {
        if (s_pagemap != null && !IsPageMap(s_pagemap))
        {
            // Someone closed the descriptor (an app's os.closerange) and it may now be another
            // file's: reading it as the page map could drop pages the process wrote. Never
            // close it from here either: it is not ours any more.
            s_pagemap.SetHandleAsInvalid();
            s_pagemap = null;
        }
        if (s_pagemap == null && OperatingSystem.IsLinux())
        {
            try
            {
                s_pagemap = File.OpenHandle("/proc/self/pagemap");
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
            }
        }
        return s_pagemap;
    }

    /// <summary>
    /// False when the descriptor no longer is this process's page map (closed, or another file's
    /// since); true also where the process may not look (/proc/self/fd is root's once it
    /// switched user), keeping what it opened.
    /// </summary>
    internal static bool IsPageMap(SafeFileHandle handle)
    {
        try
        {
            string fd = handle.DangerousGetHandle().ToString(CultureInfo.InvariantCulture);
            return new FileInfo($"/proc/self/fd/{fd}").LinkTarget == $"/proc/{Environment.ProcessId.ToString(CultureInfo.InvariantCulture)}/pagemap";
        }
        catch (UnauthorizedAccessException)
        {
            return true;
        }
        catch (IOException)
        {
            return false;
        }
    }

    private static long ReleaseClean(SafeFileHandle pagemap, ulong start, ulong end)
    {
        ulong pageSize = (ulong)Environment.SystemPageSize;
        // A chunk of entries at a time: a mapping can be large (the locale archive: 200 MB).
        Span<ulong> entries = stackalloc ulong[512];
        long released = 0;
        ulong runStart = start, runPages = 0;
        for (ulong page = start; page < end;)
        {
            int want = (int)Math.Min((ulong)entries.Length, (end - page) / pageSize);
            int read = RandomAccess.Read(pagemap, MemoryMarshal.AsBytes(entries[..want]), (long)(page / pageSize * sizeof(ulong))) / sizeof(ulong);
            if (read == 0)
            {
                break;
            }
            foreach (ulong entry in entries[..read])
            {
                if ((entry & (Present | FilePage)) == (Present | FilePage))
                {
                    runPages++;
                }
                else
                {
                    released += Drop(runStart, runPages, pageSize);
                    runStart = page + pageSize;
                    runPages = 0;
                }
                page += pageSize;
            }
        }
        return released + Drop(runStart, runPages, pageSize);
    }

    private static long Drop(ulong start, ulong pages, ulong pageSize) =>
        pages == 0 ? 0 : PageRelease.Release((nint)start, (long)(pages * pageSize));
}
