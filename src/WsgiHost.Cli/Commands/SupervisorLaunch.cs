using System.Collections;
using System.Globalization;
using System.Runtime.InteropServices;
using WsgiHost.Configuration.Model;

namespace WsgiHost.Cli.Commands;

/// <summary>
/// The server-processes option: this process becomes the supervisor of the server processes.
/// The native wsgihost replaces itself (execve: same PID, same standard streams, same
/// environment) with wsgihost-supervisor, its small sibling executable, so the process that
/// only watches the others holds about 5 MB instead of a whole server's 14 MB of runtime and
/// executable pages; elsewhere (the assembly run by `dotnet`, tests, a native wsgihost copied
/// without its sibling) the same supervisor runs in this process.
/// </summary>
internal static class SupervisorLaunch
{
    public static Task<int> RunAsync(string command, IReadOnlyList<string> args, int count)
    {
        // What would stop every server process is said once, here, before any starts: a bad
        // command line (a usage error), a configuration's errors, what N processes cannot share.
        SiteConfig? site = command == "serve" ? ServeOptionsParser.Parse(args) : ConfigCommands.LoadToSupervise(args);
        if (site == null)
        {
            return Task.FromResult(1);
        }
        if (SiteHost.ServerProcessConflict(site) is string conflict)
        {
            Console.Error.WriteLine($"wsgihost: cannot start: {conflict}");
            return Task.FromResult(1);
        }
        if (NativeSibling.Find(NativeSibling.Supervisor) is { } supervisor && Environment.ProcessPath is { } self)
        {
            Exec(supervisor, [supervisor, self, count.ToString(CultureInfo.InvariantCulture), command, .. args]);
            // Only on failure: say why, and supervise from here.
            Console.Error.WriteLine($"wsgihost: cannot start {supervisor} ({Marshal.GetLastPInvokeErrorMessage()}); supervising the server processes from this process instead");
        }
        return ServerProcessSupervisor.RunAsync(SelfProcess.StartInfo, command, args, count);
    }

    /// <summary>execve with .NET's view of the environment, which is what a process it started would get (it keeps its own copy on Unix).</summary>
    private static void Exec(string path, string[] argv)
    {
        var environment = new List<string>();
        foreach (DictionaryEntry entry in Environment.GetEnvironmentVariables())
        {
            environment.Add($"{entry.Key}={entry.Value}");
        }
        IntPtr[] argvPointers = ToPointers(argv);
        IntPtr[] envPointers = ToPointers(environment);
        try
        {
            Console.Out.Flush();
            Console.Error.Flush();
            _ = ExecVe(path, argvPointers, envPointers);
        }
        finally
        {
            foreach (IntPtr pointer in argvPointers.Concat(envPointers))
            {
                Marshal.FreeCoTaskMem(pointer);
            }
        }
    }

    /// <summary>NUL-terminated UTF-8 strings in a NULL-terminated array, as execve takes them.</summary>
    private static IntPtr[] ToPointers(IReadOnlyList<string> strings)
    {
        var pointers = new IntPtr[strings.Count + 1];
        for (int i = 0; i < strings.Count; i++)
        {
            pointers[i] = Marshal.StringToCoTaskMemUTF8(strings[i]);
        }
        return pointers;
    }

    [DllImport("libc", EntryPoint = "execve", SetLastError = true)]
    private static extern int ExecVe([MarshalAs(UnmanagedType.LPUTF8Str)] string path, IntPtr[] argv, IntPtr[] envp);
}
