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
            WorkerRestartReason.StartupTimeout, WorkerRestartReason.DeadlockTimeout, WorkerRestartReason.ScriptChanged, WorkerRestartReason.LogReopen,
        })
        {
            Assert.Equal(reason, WorkerRestartReasons.FromExitCode(reason.ExitCode()));
        }
    }

    [Theory]
    [InlineData(0, "signal")]         // SIGTERM from outside: a graceful stop
    [InlineData(137, "signal")]       // SIGKILL
    [InlineData(152, "cpu-time-limit")] // SIGXCPU: RLIMIT_CPU reached
    [InlineData(1, "crash")]          // an unhandled exception
    [InlineData(3, "deadlock-timeout")]
    [InlineData(80, "maximum-requests")]
    public void ExitCodesOfWorkersMapToReasons(int code, string label) =>
        Assert.Equal(label, WorkerRestartReasons.FromExitCode(code).Label());

    [Fact]
    public void LabelsAreDistinct() =>
        Assert.Equal(WorkerRestartReasons.All.Count, WorkerRestartReasons.All.Select(r => r.Label()).Distinct().Count());
}
