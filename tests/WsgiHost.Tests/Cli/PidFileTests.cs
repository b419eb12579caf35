using System.Diagnostics;
using WsgiHost.Cli.Commands;

namespace WsgiHost.Tests.Cli;

/// <summary>Whose PID a PidFile holds, before a start writes its own over it.</summary>
public sealed class PidFileTests : IDisposable
{
    private readonly string _path = Path.Combine(Path.GetTempPath(), $"wsgihost-pidfile-{Guid.NewGuid():N}.pid");

    public void Dispose() => File.Delete(_path);

    [Fact]
    public void AFileNamingALiveProcessOfAnotherProgramIsStaleAndMayBeWrittenOver()
    {
        // A server that crashed left its file, and the system gave the PID to a shell since.
        using Process other = Process.Start(new ProcessStartInfo("sleep", "30"))!;
        try
        {
            File.WriteAllText(_path, $"{other.Id}\n");
            Assert.Null(PidFile.RunningServer(_path, Environment.ProcessId));
        }
        finally
        {
            other.Kill();
            other.WaitForExit();
        }
    }

    [Fact]
    public void AFileNamingAWsgiHostProcessThatRunsIsAnotherServers()
    {
        // The test runner is no WsgiHost: a copy of 'sleep' named as the server's executable is.
        string bin = Path.Combine(Path.GetTempPath(), $"wsgihost-{Guid.NewGuid():N}");
        File.Copy("/bin/sleep", bin);
        using Process server = Process.Start(new ProcessStartInfo(bin, "30"))!;
        try
        {
            File.WriteAllText(_path, $"{server.Id}\n");
            Assert.Equal(server.Id, PidFile.RunningServer(_path, Environment.ProcessId));
            // Its own PID (a server process writing its supervisor's again) is no conflict.
            Assert.Null(PidFile.RunningServer(_path, server.Id));
        }
        finally
        {
            server.Kill();
            server.WaitForExit();
            File.Delete(bin);
        }
        // Gone: the file is stale.
        Assert.Null(PidFile.RunningServer(_path, Environment.ProcessId));
    }

    [Theory]
    [InlineData("")]
    [InlineData("not a pid\n")]
    [InlineData("-5\n")]
    public void AFileWithoutAPidIsNoConflict(string content)
    {
        File.WriteAllText(_path, content);
        Assert.Null(PidFile.RunningServer(_path, Environment.ProcessId));
    }

    [Fact]
    public void NoFileIsNoConflict() => Assert.Null(PidFile.RunningServer(_path, Environment.ProcessId));
}
