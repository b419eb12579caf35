using System.Globalization;
using WsgiHost.Daemon;

namespace WsgiHost.Supervisor;

/// <summary>
/// wsgihost-supervisor SERVER-PROGRAM COUNT serve|run ARGS...: what `wsgihost serve` and
/// `wsgihost run` become (execve, the same PID) when given the server-processes option.
/// Started by wsgihost only; SERVER-PROGRAM is the wsgihost executable that execs it.
/// </summary>
internal static class Program
{
    private const string Usage =
        "usage: wsgihost-supervisor SERVER-PROGRAM COUNT serve|run ARGS...\n" +
        $"(started by wsgihost: run 'wsgihost serve APP.wsgi {ServerProcesses.Option} N' or 'wsgihost run SITE.conf {ServerProcesses.Option} N')";

    private static async Task<int> Main(string[] args)
    {
        if (args.Length < 3 || args[2] is not ("serve" or "run")
            || !int.TryParse(args[1], NumberStyles.None, CultureInfo.InvariantCulture, out int count) || count is < 1 or > ServerProcesses.MaxCount)
        {
            Console.Error.WriteLine(Usage);
            return 2;
        }
        string server = args[0];
        if (!File.Exists(server))
        {
            Console.Error.WriteLine($"wsgihost-supervisor: no server program at '{server}'");
            return 2;
        }
        return await ServerProcessSupervisor.RunAsync(arguments => ProgramStart.Of(server, arguments), args[2], args[3..], count).ConfigureAwait(false);
    }
}
