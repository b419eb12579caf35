namespace WsgiHost.Daemon;

/// <summary>
/// How long a daemon request may run before request-timeout acts on it: mod_wsgi 6 compares
/// each busy thread with request-timeout × (1 + ln threads), which is request-timeout itself
/// with one thread, about 3.3 times it with 10 and 3.7 with 15. mod_wsgi 4 and 5 acted when
/// the average running time over all threads passed request-timeout, so a single slow request
/// in a mostly idle multi-threaded process ran on too; at request-timeout exactly, a 60-100 s
/// export that ran under Apache with threads=15 request-timeout=60 got 504 here (QA).
/// </summary>
internal static class RequestTimeoutRule
{
    /// <summary>The time a request may run; zero when request-timeout is off (0).</summary>
    public static TimeSpan PerRequest(int requestTimeoutSeconds, int threads) =>
        requestTimeoutSeconds <= 0 ? TimeSpan.Zero : TimeSpan.FromSeconds(requestTimeoutSeconds * (1 + Math.Log(Math.Max(1, threads))));

    /// <summary>For log lines: "request-timeout=60 s (222 s with 15 threads)", or just the option with one thread.</summary>
    public static string Describe(int requestTimeoutSeconds, int threads) =>
        threads <= 1 ? $"request-timeout={requestTimeoutSeconds} s"
            : $"request-timeout={requestTimeoutSeconds} s, {PerRequest(requestTimeoutSeconds, threads).TotalSeconds:0} s with {threads} threads: request-timeout × (1 + ln threads), as mod_wsgi 6";
}
