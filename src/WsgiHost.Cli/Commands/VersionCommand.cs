using System.Reflection;
using WsgiHost.Python.Runtime;

namespace WsgiHost.Cli.Commands;

/// <summary>`wsgihost version [--python PATH | --python-home DIR]`: this build and the Python it would load.</summary>
internal static class VersionCommand
{
    public static int Run(IReadOnlyList<string> args)
    {
        string? python = null, home = null;
        for (int i = 0; i < args.Count; i++)
        {
            switch (args[i])
            {
                case "--python" when i + 1 < args.Count: python = args[++i]; break;
                case "--python-home" when i + 1 < args.Count: home = args[++i]; break;
                default: throw new UsageException($"unknown argument '{args[i]}' for version");
            }
        }
        string version = typeof(VersionCommand).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.1.0";
        Console.Out.WriteLine($"wsgihost {version.Split('+')[0]} (.NET {Environment.Version})");
        Console.Out.WriteLine(NativeSibling.Describe());
        try
        {
            Console.Out.WriteLine($"python: {PythonRuntime.Describe(python, home)}");
            return 0;
        }
        catch (PythonNotFoundException e)
        {
            Console.Out.WriteLine($"python: not usable: {e.Message}");
            return 1;
        }
    }
}
