using WsgiHost.Configuration.Directives;
using WsgiHost.Configuration.Model;
using WsgiHost.Configuration.Syntax;

namespace WsgiHost.Cli.Commands;

/// <summary>
/// mod_wsgi-express's options that become options of the WSGIDaemonProcess it writes
/// (<c>--maximum-requests 1000</c> is <c>maximum-requests=1000</c>), so an express command
/// line keeps its meaning under serve: each is checked and the group built by the code that
/// reads WSGIDaemonProcess in a configuration (<see cref="DaemonProcessDirective"/>).
/// Express's --socket-timeout sets Apache's Timeout, which serve also takes
/// (<see cref="ServeOptionsParser"/>).
/// </summary>
internal sealed class ServeDaemonOptions
{
    /// <summary>Each express option, and the WSGIDaemonProcess option it sets.</summary>
    private static readonly Dictionary<string, string> Flags = new(StringComparer.Ordinal)
    {
        ["--maximum-requests"] = "maximum-requests",
        ["--request-timeout"] = "request-timeout",
        ["--interrupt-timeout"] = "interrupt-timeout",
        ["--queue-timeout"] = "queue-timeout",
        ["--inactivity-timeout"] = "inactivity-timeout",
        ["--restart-interval"] = "restart-interval",
        ["--deadlock-timeout"] = "deadlock-timeout",
        ["--startup-timeout"] = "startup-timeout",
        ["--graceful-timeout"] = "graceful-timeout",
        ["--eviction-timeout"] = "eviction-timeout",
        ["--shutdown-timeout"] = "shutdown-timeout",
        ["--connect-timeout"] = "connect-timeout",
        ["--cpu-time-limit"] = "cpu-time-limit",
        ["--memory-limit"] = "memory-limit",
        ["--virtual-memory-limit"] = "virtual-memory-limit",
        ["--header-buffer-size"] = "header-buffer-size",
        ["--response-buffer-size"] = "response-buffer-size",
        ["--send-buffer-size"] = "send-buffer-size",
        ["--receive-buffer-size"] = "receive-buffer-size",
        ["--daemon-backlog"] = "listen-backlog",
        ["--process-name"] = "display-name",
        ["--lang"] = "lang",
        ["--locale"] = "locale",
    };

    /// <summary>
    /// What mod_wsgi-express writes when an option is not given, where it differs from
    /// WSGIDaemonProcess's own default (src/express/options.py): a request without response
    /// headers after 60 s is answered 504 (express also bounds the wait with socket-timeout=60),
    /// one that waited 45 s for a thread is 504 without running, a GIL held 60 s restarts the
    /// worker, and a script that has not loaded 15 s after the first try does too.
    /// </summary>
    private static readonly (string Option, string Value)[] ExpressDefaults =
        [("request-timeout", "60"), ("queue-timeout", "45"), ("deadlock-timeout", "60"), ("startup-timeout", "15")];

    private readonly Dictionary<string, string> _given = new(StringComparer.Ordinal);

    /// <summary>The first of these options given, for the error when there are no worker processes to apply it to; null when none was.</summary>
    public string? FirstGiven { get; private set; }

    public static bool IsOption(string flag) => Flags.ContainsKey(flag);

    /// <summary>Takes one option's value, checked as WSGIDaemonProcess checks it.</summary>
    /// <exception cref="UsageException">The value is not one the option takes.</exception>
    public void Add(string flag, string value)
    {
        string option = Flags[flag];
        if (DaemonProcessDirective.Check(option, value, commandLine: true, Environment.CurrentDirectory) is { } error)
        {
            throw new UsageException(error.Message + (error.Fix != null ? $" ({error.Fix})" : ""));
        }
        _given[option] = value;
        FirstGiven ??= flag;
    }

    /// <summary>The daemon group: express's values, serve's own (processes, threads, home), and what was given.</summary>
    /// <param name="pythonPath">--python-path (and the working directory): the group's python-path=, as mod_wsgi-express writes it.</param>
    public DaemonGroupConfig Build(string name, SourceLocation location, int processes, int threads, string home, IReadOnlyList<string> pythonPath)
    {
        var options = ExpressDefaults.ToDictionary(d => d.Option, d => d.Value, StringComparer.Ordinal);
        // processes= written, as express always writes it: wsgi.multiprocess is True.
        options["processes"] = processes.ToString(System.Globalization.CultureInfo.InvariantCulture);
        options["threads"] = threads.ToString(System.Globalization.CultureInfo.InvariantCulture);
        options["home"] = home;
        if (pythonPath.Count > 0)
        {
            options["python-path"] = string.Join(':', pythonPath);
        }
        foreach (var (option, value) in _given)
        {
            options[option] = value;
        }
        return DaemonProcessDirective.Build(name, location, options);
    }
}
