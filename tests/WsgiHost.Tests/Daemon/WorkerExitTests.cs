using WsgiHost.Daemon;

namespace WsgiHost.Tests.Daemon;

public sealed class WorkerExitTests
{
    [Theory]
    [InlineData(0, "exited with code 0")]
    [InlineData(1, "exited with code 1")]
    [InlineData(3, "exited with code 3")]
    [InlineData(4, "exited with code 4")] // an app's os._exit(4): was "could not start Python" (QA)
    [InlineData(WorkerRestartReasons.NoPythonExitCode, "could not start Python")]
    [InlineData(139, "was killed by signal 11 (SIGSEGV: a crash in native code")]
    [InlineData(134, "was killed by signal 6 (SIGABRT: abort() in native code")]
    [InlineData(137, "was killed by signal 9 (SIGKILL: killed by hand or by the out-of-memory killer)")]
    [InlineData(152, "was killed by signal 24 (SIGXCPU: cpu-time-limit= reached)")]
    [InlineData(159, "was killed by signal 31 (signal 31)")]
    public void TheExitCodeBecomesWordsWithTheSignalsName(int code, string expected) =>
        Assert.StartsWith(expected, WorkerExit.Describe(code), StringComparison.Ordinal);

    [Fact]
    public void ASigkillTheServerSentItselfSaysWhy() =>
        Assert.Equal("was killed by signal 9 (SIGKILL: the server ended it)", WorkerExit.Describe(137, "the server ended it"));

    [Fact]
    public void AnUnexplainedSigkillUnderCpuTimeLimitNamesTheKernelsHardLimit()
    {
        Assert.Equal("; or, with cpu-time-limit=10, by the kernel at the hard limit of 20 s of CPU (cpu-time-limit + graceful-timeout + shutdown-timeout): "
            + "the requests still running after SIGXCPU kept using CPU; raise cpu-time-limit= if the application needs that much",
            WorkerExit.CpuTimeLimitHint(137, null, 10, 5, 5));
        // shutdown-timeout=0 still leaves one second, as the limit is set.
        Assert.Contains("hard limit of 12 s", WorkerExit.CpuTimeLimitHint(137, null, 10, 1, 0), StringComparison.Ordinal);
        Assert.Equal("", WorkerExit.CpuTimeLimitHint(137, "the server ended it", 10, 5, 5));
        Assert.Equal("", WorkerExit.CpuTimeLimitHint(137, null, 0, 5, 5));
        Assert.Equal("", WorkerExit.CpuTimeLimitHint(139, null, 10, 5, 5));
    }
}
