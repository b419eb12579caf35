using System.Globalization;
using System.Runtime.InteropServices;
using WsgiHost.Server;

namespace WsgiHost.Tests.Server;

/// <summary>
/// Dropping the clean file pages a process maps read-only: over real mappings of a real file,
/// the pages leave the process's resident memory and read back the file's bytes when touched;
/// a page the process wrote before the mapping became read-only (what relocations are) is
/// kept with what was written.
/// </summary>
public sealed class MappedFilePagesTests : IDisposable
{
    private const int ProtRead = 1, ProtWrite = 2, MapPrivate = 2;
    private const int Pages = 32;
    private static readonly int s_page = Environment.SystemPageSize;
    private readonly string _path = Path.Combine(Path.GetTempPath(), $"wsgihost-mapped-{Guid.NewGuid():N}");

    public MappedFilePagesTests()
    {
        byte[] content = new byte[Pages * s_page];
        for (int i = 0; i < content.Length; i++)
        {
            content[i] = (byte)(i / s_page + 1);
        }
        File.WriteAllBytes(_path, content);
    }

    [Fact]
    public void OnlyPrivateReadOnlyMappingsOfFilesAreTaken()
    {
        string[] maps =
        [
            "55f2288fe000-55f228bf9000 r--p 00ba3000 fe:00 5341205                    /opt/wsgihost/wsgihost",
            "55f228bfb000-55f228c26000 rw-p 00e9f000 fe:00 5341205                    /opt/wsgihost/wsgihost",
            "55f228c26000-55f228f8b000 rw-p 00000000 00:00 0 ",
            "7f7ccc000000-7f7ccc400000 r-xp 00001000 fe:00 3198                       /usr/lib/x86_64-linux-gnu/libpython3.11.so.1.0",
            "7f7ccc400000-7f7ccc500000 ---p 00000000 fe:00 3198                       /usr/lib/x86_64-linux-gnu/libpython3.11.so.1.0",
            "7f7ccd000000-7f7ccd010000 r--s 00000000 00:01 4242                       /memfd:wsgihost-body (deleted)",
            "7f7ccde71000-7f7ccde73000 r-xp 00000000 00:00 0                          [vdso]",
            "7f7ccde80000-7f7ccde90000 r--p 00000000 fe:00 77                         /srv/site/a file with spaces.dat",
        ];

        Assert.Equal(
            [(0x55f2288fe000UL, 0x55f228bf9000UL), (0x7f7ccc000000UL, 0x7f7ccc400000UL), (0x7f7ccde80000UL, 0x7f7ccde90000UL)],
            MappedFilePages.ReadOnlyFileMappings(maps).ToArray());
    }

    [Fact]
    public void TouchedPagesOfAReadOnlyFileMappingLeaveResidentMemoryAndReadBackTheFile()
    {
        nint map = Map(ProtRead);
        try
        {
            TouchEveryPage(map);
            Assert.Equal(Pages * s_page / 1024, ResidentKilobytes(map));

            long dropped = MappedFilePages.ReleaseClean();

            Assert.True(dropped >= Pages * s_page, $"dropped {dropped} bytes");
            Assert.Equal(0, ResidentKilobytes(map));
            for (int page = 0; page < Pages; page++)
            {
                Assert.Equal(page + 1, Marshal.ReadByte(map, page * s_page + 17));
            }
        }
        finally
        {
            Assert.Equal(0, munmap(map, (nuint)(Pages * s_page)));
        }
    }

    [Fact]
    public void APageWrittenBeforeTheMappingBecameReadOnlyIsKeptWithWhatWasWritten()
    {
        nint map = Map(ProtRead | ProtWrite);
        try
        {
            Marshal.WriteByte(map, 3 * s_page + 5, 0xEE);
            Assert.Equal(0, mprotect(map, (nuint)(Pages * s_page), ProtRead));
            TouchEveryPage(map);

            MappedFilePages.ReleaseClean();

            Assert.Equal(s_page / 1024, ResidentKilobytes(map));
            Assert.Equal(0xEE, Marshal.ReadByte(map, 3 * s_page + 5));
            Assert.Equal(4, Marshal.ReadByte(map, 3 * s_page + 6));
            Assert.Equal(5, Marshal.ReadByte(map, 4 * s_page));
        }
        finally
        {
            Assert.Equal(0, munmap(map, (nuint)(Pages * s_page)));
        }
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

    private nint Map(int protection)
    {
        using var file = File.OpenHandle(_path);
        nint map = mmap(0, (nuint)(Pages * s_page), protection, MapPrivate, file.DangerousGetHandle(), 0);
        Assert.NotEqual(-1, map);
        return map;
    }

    private static void TouchEveryPage(nint map)
    {
        for (int page = 0; page < Pages; page++)
        {
            Assert.Equal(page + 1, Marshal.ReadByte(map, page * s_page));
        }
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
    private static extern nint mmap(nint address, nuint length, int protection, int flags, nint fd, long offset);

    [DllImport("libc", SetLastError = true)]
    private static extern int munmap(nint address, nuint length);

    [DllImport("libc", SetLastError = true)]
    private static extern int mprotect(nint address, nuint length, int protection);
}
