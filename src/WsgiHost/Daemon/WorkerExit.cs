namespace WsgiHost.Daemon;

/// <summary>
/// How a daemon worker ended, in words for the error log: the signal by name, with what it
/// usually means, so an operator can tell a crash in a C extension from the OOM killer.
/// </summary>
internal static class WorkerExit
{
    /// <summary>
    /// "exited with code 3", "was killed by signal 11 (SIGSEGV: ...)". <paramref name="killedBy"/>
    /// says why the server itself sent SIGKILL, when it did (a stuck worker that did not stop in time).
    /// </summary>
    public static string Describe(int exitCode, string? killedBy = null)
    {
        // .NET reports a process killed by signal N as 128+N.
        if (exitCode == WorkerRestartReasons.NoPythonExitCode)
        {
            return "could not start Python (the reason is logged above)";
        }
        if (exitCode <= 128 || exitCode >= 160)
        {
            return $"exited with code {exitCode}";   // why is WorkerRestartReasons' (the log line adds its label)
        }
        int signal = exitCode - 128;
        string meaning = signal switch
        {
            9 when killedBy != null => $"SIGKILL: {killedBy}",
            4 => "SIGILL: an illegal instruction in native code",
            6 => "SIGABRT: abort() in native code, such as a failed assertion in a C extension or a fatal runtime error",
            7 => "SIGBUS: a bad memory access in native code, such as a truncated memory-mapped file",
            8 => "SIGFPE: an arithmetic fault in native code",
            9 => "SIGKILL: killed by hand or by the out-of-memory killer",
            11 => "SIGSEGV: a crash in native code, such as a C extension or ctypes; daemon mode kept it out of the server and the other groups",
            13 => "SIGPIPE",
            15 => "SIGTERM: asked to stop by another process",
            24 => "SIGXCPU: cpu-time-limit= reached",
            _ => null,
        } ?? $"signal {signal}";
        // Python can say which line called into the crashing code, if asked before the crash.
        string fix = signal is 4 or 6 or 7 or 8 or 11 && Environment.GetEnvironmentVariable("PYTHONFAULTHANDLER") is null or ""
            ? "; start the server with PYTHONFAULTHANDLER=1 to get the Python stack of the crash on its standard error"
            : "";
        return $"was killed by signal {signal} ({meaning}{fix})";
    }

    /// <summary>
    /// For a worker SIGKILLed by no one the server knows of under cpu-time-limit=: the kernel
    /// does that at the hard limit (<see cref="ProcessLimits"/>), when the drain that SIGXCPU
    /// began used up its CPU seconds too (QA: it was put down to a kill by hand or the OOM killer).
    /// </summary>
    public static string CpuTimeLimitHint(int exitCode, string? killedBy, long cpuTimeLimitSeconds, int gracefulTimeoutSeconds, int shutdownTimeoutSeconds)
    {
        if (exitCode != 128 + 9 || killedBy != null || cpuTimeLimitSeconds <= 0)
        {
            return "";
        }
        long hard = cpuTimeLimitSeconds + gracefulTimeoutSeconds + Math.Max(1, shutdownTimeoutSeconds);
        return $"; or, with cpu-time-limit={cpuTimeLimitSeconds}, by the kernel at the hard limit of {hard} s of CPU (cpu-time-limit + graceful-timeout + shutdown-timeout): "
            + "the requests still running after SIGXCPU kept using CPU; raise cpu-time-limit= if the application needs that much";
    }
}
