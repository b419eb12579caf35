using WsgiHost.Python.Interop;

namespace WsgiHost.Tests.Interop;

/// <summary>statx-based modification times agree with .NET's, to the 100 ns tick.</summary>
public sealed class FileTimesTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("wsgihost-times-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void TheTimeIsWhatDotNetReportsAndFollowsChanges()
    {
        string path = Path.Combine(_dir, "app é.wsgi");
        File.WriteAllText(path, "x");
        var times = new FileTimes(path);
        Assert.Equal(File.GetLastWriteTimeUtc(path), times.LastWriteUtc());
        var later = new DateTime(2030, 1, 2, 3, 4, 5, DateTimeKind.Utc).AddTicks(1234567);
        File.SetLastWriteTimeUtc(path, later);
        Assert.Equal(later, times.LastWriteUtc());
    }

    [Fact]
    public void AMissingFileHasNoTime()
    {
        Assert.Null(new FileTimes(Path.Combine(_dir, "missing.wsgi")).LastWriteUtc());
        Assert.Null(new FileTimes(Path.Combine(_dir, "no-dir", "x.wsgi")).LastWriteUtc());
    }
}
