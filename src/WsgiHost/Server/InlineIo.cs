namespace WsgiHost.Server;

/// <summary>
/// Socket completions run on the runtime's socket event threads instead of being queued to the
/// thread pool (the runtime's DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS): one thread wake-up
/// less per read, which is most of a small request's cost on a machine with few cores. The
/// daemon front gains most (its reads from a worker continue on the event thread straight into
/// the client's response); a daemon worker reads its connections on a readiness loop of its own
/// (FrontConnectionInput) and uses .NET's engine only to accept them. WsgiHost's own processes (the server and its
/// daemon workers) turn it on first thing; a user who sets the variable to 0 keeps it off. A
/// library host (MapWsgi) keeps its own choice. Safe because nothing that runs in a socket
/// continuation blocks: Python runs only on WSGI threads, creating an interpreter is moved to
/// the thread pool (ApplicationCache, DaemonWorker), and logs are written by a background writer.
/// </summary>
internal static class InlineIo
{
    public const string Variable = "DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS";

    private static bool s_setHere;

    /// <summary>
    /// Before any socket exists: the runtime reads the variable once, when it makes its first
    /// socket. .NET keeps its own copy of the environment on Unix, so Python's os.environ
    /// never shows it; processes started through .NET do inherit it (see <see cref="Unset"/>).
    /// </summary>
    public static void EnableUnlessSet()
    {
        if (Environment.GetEnvironmentVariable(Variable) == null)
        {
            Environment.SetEnvironmentVariable(Variable, "1");
            s_setHere = true;
        }
    }

    /// <summary>Keeps the variable from a program that is not ours (a piped logger) unless the user set it.</summary>
    public static void Unset(System.Diagnostics.ProcessStartInfo start)
    {
        if (s_setHere)
        {
            start.Environment.Remove(Variable);
        }
    }
}
