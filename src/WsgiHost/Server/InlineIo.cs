namespace WsgiHost.Server;

/// <summary>
/// Whether socket completions run on the runtime's socket event threads instead of being
/// queued to the thread pool (the runtime's DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS), and
/// Kestrel's continuations with them. WsgiHost's own processes (the server and its daemon
/// workers) turn it on first thing; a user who sets the variable to 0 turns both halves off.
/// A library host (MapWsgi) keeps its own choice.
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

    public static bool Enabled => Environment.GetEnvironmentVariable(Variable) == "1";

    /// <summary>Keeps the variable from a program that is not ours (a piped logger) unless the user set it.</summary>
    public static void Unset(System.Diagnostics.ProcessStartInfo start)
    {
        if (s_setHere)
        {
            start.Environment.Remove(Variable);
        }
    }
}
