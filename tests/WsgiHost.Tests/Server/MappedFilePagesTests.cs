using System.Globalization;
using System.Runtime.InteropServices;
using WsgiHost.Python.Interop;
using WsgiHost.Server;

namespace WsgiHost.Tests.Server;

/// <summary>
/// Dropping the clean file pages of the code and constant data of the loaded libraries: over a
/// real library, the pages leave the process's resident memory and it still runs; a page the
/// process wrote (what text relocations are) is kept with what was written; a library loaded on
/// another thread meanwhile is left whole.
/// </summary>
[Collection(nameof(MappedFilePagesTests))]
public sealed class MappedFilePagesTests : IDisposable
{
    private const int ProtRead = 1, ProtWrite = 2, MadviseDontNeed = 4;
    private static readonly int s_page = Environment.SystemPageSize;
    private readonly string _path = Path.Combine(Path.GetTempPath(), $"wsgihost-mapped-{Guid.NewGuid():N}");

    public MappedFilePagesTests()
    {
        File.WriteAllBytes(_path, [1, 2, 3]);
    }

    [Fact]
    public void EveryVisitedSegmentIsMappedWithoutWritePermissionAndTheLoadedLibrariesCodeIsAmongThem()
    {
        nint version = NativeLibrary.GetExport(Bzip2.Value, "BZ2_bzlibVersion");
        var segments = new List<(ulong Start, ulong End)>();
        LoadedImageSegments.Visit(ref segments, static (ref List<(ulong, ulong)> list, ulong start, ulong end) => list.Add((start, end)));

        Assert.Contains(segments, s => s.Start <= (ulong)version && (ulong)version < s.End);
        var mappings = Mappings();
        foreach ((ulong start, ulong end) in segments)
        {
            ulong first = start / (ulong)s_page * (ulong)s_page;
            for (ulong page = first; page < end; page += (ulong)s_page)
            {
                var mapping = mappings.Single(m => m.Start <= page && page < m.End);
                Assert.DoesNotContain('w', mapping.Permissions);
            }
        }
    }

    [Fact]
    public void TouchedPagesOfALoadedLibraryLeaveResidentMemoryAndItStillRuns()
    {
        nint versionFunction = NativeLibrary.GetExport(Bzip2.Value, "BZ2_bzlibVersion");
        string? version = BzlibVersion(versionFunction);
        var segments = new List<(ulong Start, ulong End)>();
        LoadedImageSegments.Visit(ref segments, static (ref List<(ulong, ulong)> list, ulong start, ulong end) => list.Add((start, end)));
        // Its code and constant data; not the relocations it wrote (made read-only after).
        var library = Mappings().Where(m => m.Path == Bzip2Path && segments.Any(s => s.Start <= m.Start && m.End <= s.End)).ToList();
        Assert.NotEmpty(library);
        foreach (var m in library)
        {
            for (ulong page = m.Start; page < m.End; page += (ulong)s_page)
            {
                _ = Marshal.ReadByte((nint)page);
            }
        }
        Assert.True(library.Sum(m => ResidentKilobytes((nint)m.Start)) > 0);

        long dropped = MappedFilePages.ReleaseClean();

        Assert.True(dropped >= library.Sum(m => (long)(m.End - m.Start)), $"dropped {dropped} bytes");
        Assert.Equal(0, library.Sum(m => ResidentKilobytes((nint)m.Start)));
        Assert.Equal(version, BzlibVersion(versionFunction));
    }

    [Fact]
    public void APageOfALoadedLibraryThatTheProcessWroteIsKeptWithWhatWasWritten()
    {
        _ = Bzip2.Value;
        var readOnly = Mappings().First(m => m.Path == Bzip2Path && m.Permissions == "r--p");
        // A byte of its last page, written as a text relocation would be (and put back after).
        nint at = (nint)(readOnly.End - (ulong)s_page) + 100;
        nint page = (nint)(readOnly.End - (ulong)s_page);
        byte original = Marshal.ReadByte(at);
        Assert.Equal(0, mprotect(page, (nuint)s_page, ProtRead | ProtWrite));
        Marshal.WriteByte(at, (byte)~original);
        Assert.Equal(0, mprotect(page, (nuint)s_page, ProtRead));
        try
        {
            MappedFilePages.ReleaseClean();

            Assert.Equal((byte)~original, Marshal.ReadByte(at));
        }
        finally
        {
            Assert.Equal(0, mprotect(page, (nuint)s_page, ProtRead | ProtWrite));
            Marshal.WriteByte(at, original);
            Assert.Equal(0, mprotect(page, (nuint)s_page, ProtRead));
            // Its copy now holds the file's bytes again: dropped, the file's page comes back.
            Assert.Equal(0, madvise(page, (nuint)s_page, MadviseDontNeed));
        }
    }

    /// <summary>
    /// The process survives dropping pages while another thread loads libraries (Python's
    /// extension modules, as an app's imports do): walking /proc/self/maps instead dropped the
    /// relocations of a library half-way loaded, and the process died of SIGSEGV.
    /// </summary>
    [Fact]
    public void DroppingPagesWhileAnotherThreadLoadsLibrariesBreaksNothing()
    {
        string[] modules = Directory.GetFiles(PythonExtensionModules, "*.so");
        Assert.NotEmpty(modules);
        int loads = 0;
        using var stop = new CancellationTokenSource();
        var loader = new Thread(() =>
        {
            for (int i = 0; !stop.IsCancellationRequested; i++)
            {
                // Most fail (libpython's symbols are not loaded here) after being mapped and
                // relocated, which is the part that matters.
                if (NativeLibrary.TryLoad(modules[i % modules.Length], out nint handle))
                {
                    NativeLibrary.Free(handle);
                }
                loads++;
            }
        });
        loader.Start();
        long rounds = 0;
        var until = DateTime.UtcNow.AddSeconds(3);
        while (DateTime.UtcNow < until)
        {
            MappedFilePages.ReleaseClean();
            rounds++;
        }
        stop.Cancel();
        loader.Join();

        Assert.True(rounds > 10 && loads > 100, $"{rounds} rounds, {loads} loads");
        Assert.Equal(BzlibVersion(NativeLibrary.GetExport(Bzip2.Value, "BZ2_bzlibVersion")), BzlibVersion(NativeLibrary.GetExport(Bzip2.Value, "BZ2_bzlibVersion")));
    }

    [Fact]
    public void AKeptDescriptorThatNoLongerIsThePageMapIsNotReadAsOne()
    {
        using (var pagemap = File.OpenHandle("/proc/self/pagemap"))
        {
            Assert.True(MappedFilePages.IsPageMap(pagemap));
        }
        // What an app's os.closerange and a later open leave under the same number.
        using var other = File.OpenHandle(_path);
        Assert.False(MappedFilePages.IsPageMap(other));
    }

    private const string PythonExtensionModules = "/usr/lib/python3.11/lib-dynload";

    // libbz2 is in every Debian (dpkg needs it) and nothing else in the test process uses it.
    private static readonly Lazy<nint> Bzip2 = new(() => NativeLibrary.Load("libbz2.so.1.0"));

    private static string Bzip2Path => Mappings().First(m => m.Path.Contains("libbz2.so", StringComparison.Ordinal)).Path;

    private static string? BzlibVersion(nint function) =>
        Marshal.PtrToStringUTF8(Marshal.GetDelegateForFunctionPointer<VersionFunction>(function)());

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate nint VersionFunction();

    private static List<(ulong Start, ulong End, string Permissions, string Path)> Mappings()
    {
        var list = new List<(ulong, ulong, string, string)>();
        foreach (string line in File.ReadAllLines("/proc/self/maps"))
        {
            string[] fields = line.Split(' ', 6, StringSplitOptions.RemoveEmptyEntries);
            string[] range = fields[0].Split('-');
            list.Add((ulong.Parse(range[0], NumberStyles.HexNumber, CultureInfo.InvariantCulture),
                ulong.Parse(range[1], NumberStyles.HexNumber, CultureInfo.InvariantCulture),
                fields[1], fields.Length > 5 ? fields[5].Trim() : ""));
        }
        return list;
    }

    /// <summary>The Rss line of the mapping that starts at <paramref name="map"/> in /proc/self/smaps.</summary>
    private static long ResidentKilobytes(nint map)
    {
        string start = ((ulong)map).ToString("x", CultureInfo.InvariantCulture) + "-";
        bool inside = false;
        foreach (string line in File.ReadLines("/proc/self/smaps"))
        {
            // A mapping's first line starts with its range; the lines of its figures with "Name:".
            if (!line.Split(' ', 2)[0].EndsWith(':'))
            {
                inside = line.StartsWith(start, StringComparison.Ordinal);
            }
            else if (inside && line.StartsWith("Rss:", StringComparison.Ordinal))
            {
                return long.Parse(line[4..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
            }
        }
        throw new InvalidOperationException($"no mapping at {start} in /proc/self/smaps");
    }

    public void Dispose() => File.Delete(_path);

    [DllImport("libc", SetLastError = true)]
    private static extern int madvise(nint address, nuint length, int advice);

    [DllImport("libc", SetLastError = true)]
    private static extern int mprotect(nint address, nuint length, int protection);
}

/// <summary>Runs alone: it writes into a library's page and counts a library's resident pages.</summary>
[CollectionDefinition(nameof(MappedFilePagesTests), DisableParallelization = true)]
public sealed class MappedFilePagesCollection;
