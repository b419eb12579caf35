using WsgiHost.Logging;

namespace WsgiHost.Tests.Logging;

/// <summary>SIGUSR1's reopening of log files: a rotated file is replaced, one that cannot be opened is kept.</summary>
public sealed class LogFileTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("wsgihost-logfile-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public void ARotatedFileIsOpenedAgainUnderItsName()
    {
        string path = Path.Combine(_root, "logs", "access.log");
        using LogFile file = LogFile.Append(path);
        file.Write("before\n");
        file.Flush();
        File.Move(path, path + ".1");

        var failed = new List<string>();
        LogFile.ReopenAll(failed);
        file.Write("after\n");
        file.Flush();

        Assert.DoesNotContain(failed, f => f.StartsWith(path, StringComparison.Ordinal));
        Assert.Equal("before\n", File.ReadAllText(path + ".1"));
        Assert.Equal("after\n", File.ReadAllText(path));
    }

    [Fact]
    public void AFileThatCannotBeOpenedAgainKeepsTheOneItHas()
    {
        string folder = Path.Combine(_root, "logs");
        string path = Path.Combine(folder, "error.log");
        using LogFile file = LogFile.Append(path);
        file.Write("before\n");
        file.Flush();
        // The folder gone and a file in its place: the name cannot be opened (as a server that
        // became Apache's User cannot open root's log folder).
        Directory.Move(folder, folder + ".old");
        File.WriteAllText(folder, "");

        var failed = new List<string>();
        LogFile.ReopenAll(failed);
        file.Write("after\n");
        file.Flush();

        Assert.Contains(failed, f => f.StartsWith(path + ": ", StringComparison.Ordinal));
        Assert.Equal("before\nafter\n", File.ReadAllText(Path.Combine(folder + ".old", "error.log")));
    }
}
