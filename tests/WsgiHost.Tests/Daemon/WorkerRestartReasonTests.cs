using WsgiHost.Daemon;

namespace WsgiHost.Tests.Daemon;

public sealed class WorkerRestartReasonTests
{
    [Fact]
    public void EveryReasonAWorkerEndsWithIsReadBackFromItsExitCode()
    {
        foreach (var reason in new[]
        {
            WorkerRestartReason.MaximumRequests, WorkerRestartReason.RestartInterval, WorkerRestartReason.InactivityTimeout,
            WorkerRestartReason.StartupTimeout, WorkerRestartReason.DeadlockTimeout, WorkerRestartReason.ScriptChanged, WorkerRestartReason.Eviction, WorkerRestartReason.LogReopen,
            WorkerRestartReason.CpuTimeLimit,
        })
        {
            Assert.Equal(reason, WorkerRestartReasons.FromExitCode(reason.ExitCode()));
        }
    }

    [Theory]
    [InlineData(0, "signal")]         // SIGTERM from outside: a graceful stop
    [InlineData(137, "signal")]       // SIGKILL
    [InlineData(139, "crash")]        // SIGSEGV: the app or an extension crashed, nothing outside stopped it
    [InlineData(134, "crash")]        // SIGABRT
    [InlineData(152, "cpu-time-limit")] // SIGXCPU: RLIMIT_CPU reached
    [InlineData(1, "crash")]          // an unhandled exception
    [InlineData(3, "crash")]          // an app's os._exit(3): was read as deadlock-timeout (QA)
    [InlineData(4, "crash")]
    [InlineData(WorkerRestartReasons.DeadlockExitCode, "deadlock-timeout")]
    [InlineData(80, "maximum-requests")]
    public void ExitCodesOfWorkersMapToReasons(int code, string label) =>
        Assert.Equal(label, WorkerRestartReasons.FromExitCode(code).Label());

    /// <summary>A worker that restarts itself at cpu-time-limit (SIGXCPU taken) is a planned restart, replaced without the crash back-off.</summary>
    [Fact]
    public void CpuTimeLimitIsAPlannedRestart() =>
        Assert.True(WorkerRestartReasons.IsPlanned(WorkerRestartReason.CpuTimeLimit.ExitCode()));

    [Fact]
    public void LabelsAreDistinct() =>
        Assert.Equal(WorkerRestartReasons.All.Count, WorkerRestartReasons.All.Select(r => r.Label()).Distinct().Count());
}
