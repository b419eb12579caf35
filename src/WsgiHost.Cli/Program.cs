using WsgiHost.Cli.Commands;

namespace WsgiHost.Cli;

internal static class Program
{
    private const string Usage = """
        usage: wsgihost <command> [arguments]
          serve APP.wsgi [options]   serve one WSGI application (see: wsgihost serve --help)
          run CONFIG.conf            serve an Apache-syntax site configuration until SIGTERM
          check CONFIG.conf          report configuration errors and likely mistakes (exit 1 on errors)
          version [--python PATH]    print this build and the Python it would load
        """;

    private static async Task<int> Main(string[] args)
    {
        WsgiHost.Server.InlineIo.EnableUnlessSet();
        if (args.Length == 0 || args[0] is "-h" or "--help" or "help")
        {
            Console.Out.WriteLine(Usage);
            return args.Length == 0 ? 2 : 0;
        }
        string[] rest = args[0] is "serve" or "run" or "check" ? ArgumentForms.Normalize(args[1..]) : args[1..];
        try
        {
            if (args[0] is "serve" or "run")
            {
                TakeCpuScheduling(ref rest);
            }
            // --server-processes N runs the app embedded in each, 1 included (one server process,
            // embedded, which SIGHUP replaces), not serve's daemon default.
            bool serverProcesses = args[0] == "serve" && rest.Contains(ServerProcesses.Option);
            switch (args[0])
            {
                case "serve" when rest.Contains("--help") || rest.Contains("-h"):
                    Console.Out.WriteLine(ServeOptionsParser.Usage);
                    return 0;
                case "serve" or "run" when ServerProcesses.Take(ref rest) is int processes && ServerProcesses.Child == null:
                    return await SupervisorLaunch.RunAsync(args[0], args[0] == "serve" ? ServeOptionsParser.Embedded(rest) : rest, processes).ConfigureAwait(false);
                case "serve":
                    return await ServeCommand.RunAsync(serverProcesses ? ServeOptionsParser.Embedded(rest) : rest).ConfigureAwait(false);
                case "version":
                case "--version":
                    return VersionCommand.Run(rest);
                case "run" when rest.Contains("--help") || rest.Contains("-h"):
                    Console.Out.WriteLine(ConfigCommands.RunUsage);
                    return 0;
                case "check" when rest.Contains("--help") || rest.Contains("-h"):
                    Console.Out.WriteLine(ConfigCommands.CheckUsage);
                    return 0;
                case "run":
                    return await ConfigCommands.RunAsync(rest).ConfigureAwait(false);
                case "check":
                    return ConfigCommands.Check(rest);
                case "worker":
                    return await WorkerCommand.RunAsync(rest).ConfigureAwait(false);
                default:
                    throw new UsageException($"unknown command '{args[0]}'");
            }
        }
        catch (UsageException e)
        {
            Console.Error.WriteLine($"wsgihost: {e.Message}");
            Console.Error.WriteLine("run 'wsgihost --help' for usage");
            return 2;
        }
    }

    /// <summary>
    /// --cpu-scheduling, first thing: the policy must be set before the server starts threads.
    /// Server processes and daemon workers inherit it from the process that starts them.
    /// </summary>
    private static void TakeCpuScheduling(ref string[] rest)
    {
        bool batch;
        try
        {
            batch = WsgiHost.Server.CpuScheduling.TakeBatch(ref rest);
        }
        catch (ArgumentException e)
        {
            throw new UsageException(e.Message);
        }
        if (ServerProcesses.Child == null)
        {
            WsgiHost.Server.CpuScheduling.Apply(batch);
        }
    }
}
