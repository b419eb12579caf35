using System.Globalization;
using WsgiHost.Configuration.Model;
using WsgiHost.Configuration.Syntax;

namespace WsgiHost.Configuration.Directives;

/// <summary>
/// WSGIDaemonProcess name [option=value ...]: every option of mod_wsgi's
/// wsgi_add_daemon_process, each checked (mod_wsgi only says "Invalid option to WSGI daemon
/// process definition"; this names the option and the fix).
/// </summary>
internal static class DaemonProcessDirective
{
    private enum Kind { Count, Seconds, Bytes, Text, AbsolutePath, PathList, Flag, Octal, Identity, Priority }

    private static readonly Dictionary<string, Kind> Options = new(StringComparer.OrdinalIgnoreCase)
    {
        ["processes"] = Kind.Count, ["threads"] = Kind.Count, ["user"] = Kind.Identity, ["group"] = Kind.Identity,
        ["supplementary-groups"] = Kind.Text, ["umask"] = Kind.Octal, ["home"] = Kind.AbsolutePath, ["chroot"] = Kind.AbsolutePath,
        ["display-name"] = Kind.Text, ["lang"] = Kind.Text, ["locale"] = Kind.Text, ["python-home"] = Kind.AbsolutePath,
        ["python-path"] = Kind.PathList, ["python-eggs"] = Kind.AbsolutePath, ["switch-interval"] = Kind.Text,
        ["cpu-priority"] = Kind.Priority, ["stack-size"] = Kind.Bytes, ["script-user"] = Kind.Identity, ["script-group"] = Kind.Identity,
        ["socket-user"] = Kind.Identity, ["server-metrics"] = Kind.Flag, ["maximum-requests"] = Kind.Count,
        ["restart-interval"] = Kind.Seconds, ["cpu-time-limit"] = Kind.Seconds, ["memory-limit"] = Kind.Bytes,
        ["virtual-memory-limit"] = Kind.Bytes, ["inactivity-timeout"] = Kind.Seconds, ["request-timeout"] = Kind.Seconds,
        ["interrupt-timeout"] = Kind.Seconds, ["deadlock-timeout"] = Kind.Seconds, ["startup-timeout"] = Kind.Seconds,
        ["graceful-timeout"] = Kind.Seconds, ["eviction-timeout"] = Kind.Seconds, ["shutdown-timeout"] = Kind.Seconds,
        ["connect-timeout"] = Kind.Seconds, ["socket-timeout"] = Kind.Seconds, ["queue-timeout"] = Kind.Seconds,
        ["listen-backlog"] = Kind.Count, ["response-socket-timeout"] = Kind.Seconds, ["header-buffer-size"] = Kind.Bytes,
        ["response-buffer-size"] = Kind.Bytes, ["response-flush-delay"] = Kind.Count, ["send-buffer-size"] = Kind.Bytes,
        ["receive-buffer-size"] = Kind.Bytes,
        // WsgiHost's own: interpreters each application runs in (WSGIApplicationInterpreters for this group).
        ["interpreters"] = Kind.Count,
    };

    /// <summary>
    /// Options taken (a configuration that has them runs) with no effect here, and why: a
    /// warning where a site may rely on what they do, a note where WsgiHost needs nothing of them.
    /// </summary>
    private static readonly Dictionary<string, (bool Warn, string Why)> WithoutEffect = new(StringComparer.OrdinalIgnoreCase)
    {
        ["stack-size"] = (true, "WSGI threads get the runtime's default stack (1.5 MiB); an app that needs more recursion depth than that should say so in its own threads"),
        ["switch-interval"] = (true, "the workers keep Python's switch interval (5 ms); call sys.setswitchinterval() from the WSGI script to change it"),
        ["server-metrics"] = (true, "mod_wsgi.server_metrics() is not provided; WsgiHost's server-status and metrics pages give the server's figures"),
        ["socket-user"] = (false, "the server connects to its own daemon sockets, so their owner needs no change"),
        ["response-flush-delay"] = (false, "the front passes on what a worker writes as it comes"),
    };

    /// <summary>Lower bounds mod_wsgi enforces beyond "not negative".</summary>
    private static readonly Dictionary<string, long> Minimum = new(StringComparer.OrdinalIgnoreCase)
    {
        ["processes"] = 1, ["interpreters"] = 1, ["header-buffer-size"] = 8192, ["response-buffer-size"] = 65536,
        ["send-buffer-size"] = 512, ["receive-buffer-size"] = 512, ["listen-backlog"] = 1,
    };

    public static DirectiveSpec Spec { get; } = new("WSGIDaemonProcess", DirectiveScope.ServerAndVirtualHost, 1, -1, "name [option=value ...]", Apply);

    private static void Apply(ConfigNode node, BuildContext context)
    {
        string name = node.Arguments[0];
        if (name.Contains('=', StringComparison.Ordinal))
        {
            context.Error(node, $"the first argument must be the group's name, got '{name}'", $"WSGIDaemonProcess mysite {string.Join(' ', node.Arguments)}");
            return;
        }
        var options = OptionList.Parse(node, 1, Options.Keys, context);
        var valid = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (option, value) in options)
        {
            if (Check(option, value, commandLine: false, context.Site.ServerRoot) is { } error)
            {
                context.Error(node, error.Message, error.Fix);
            }
            else
            {
                valid[option] = value;
            }
        }
        if (valid.ContainsKey("script-user") && valid.ContainsKey("script-group"))
        {
            context.Error(node, "script-user= and script-group= cannot both be given", "keep one of them");
        }
        foreach (string option in valid.Keys.Where(WithoutEffect.ContainsKey))
        {
            var (warn, why) = WithoutEffect[option];
            if (warn)
            {
                context.Warning(node, $"{option}= has no effect in WsgiHost: {why}", $"remove {option}=");
            }
            else
            {
                context.Note(node, $"{option}= has no effect in WsgiHost: {why}");
            }
        }
        if (valid.ContainsKey("chroot"))
        {
            context.Error(node, "chroot= is not supported (it needs root and is deprecated in mod_wsgi)", "remove chroot=; use a container for isolation");
        }

        var existing = context.Site.DaemonGroups.FirstOrDefault(g => g.Group.Name == name);
        if (existing.Group != null)
        {
            context.Error(node, $"a daemon process group named '{name}' is already defined at {existing.Group.Location}",
                "group names are global: define the group once outside the <VirtualHost> blocks, or once in the :80 vhost and reference it from the :443 vhost with the same ServerName");
            return;
        }
        DaemonGroupConfig group = Build(name, node.Location, valid) with { OwnerLocation = context.Scope.IsVirtualHost ? context.Scope.Location : null };
        context.Site.DaemonGroups.Add((group, context.Scope));
    }

    /// <summary>
    /// The group that options already checked (<see cref="Check"/>) describe: the typed values the
    /// server acts on, each option's default where it is not given, and every option as written.
    /// </summary>
    public static DaemonGroupConfig Build(string name, SourceLocation location, IReadOnlyDictionary<string, string> valid)
    {
        var numbers = valid.Where(o => Options[o.Key] is Kind.Count or Kind.Seconds or Kind.Bytes)
            .ToDictionary(o => o.Key, o => long.Parse(o.Value, NumberStyles.None, CultureInfo.InvariantCulture), StringComparer.OrdinalIgnoreCase);
        int Number(string key, int fallback) => numbers.TryGetValue(key, out long v) ? (int)v : fallback;
        return new DaemonGroupConfig
        {
            Name = name,
            Location = location,
            Processes = numbers.TryGetValue("processes", out long p) ? (int)p : null,
            Threads = Number("threads", 15),
            Interpreters = numbers.TryGetValue("interpreters", out long interpreters) ? (int)interpreters : null,
            PythonHome = valid.GetValueOrDefault("python-home"),
            PythonPath = valid.TryGetValue("python-path", out string? pp) ? pp.Split(':', StringSplitOptions.RemoveEmptyEntries) : [],
            Home = valid.GetValueOrDefault("home"),
            DisplayName = valid.GetValueOrDefault("display-name"),
            User = valid.GetValueOrDefault("user"),
            Group = valid.GetValueOrDefault("group"),
            Lang = valid.GetValueOrDefault("lang"),
            Locale = valid.GetValueOrDefault("locale"),
            MaximumRequests = Number("maximum-requests", 0),
            RequestTimeoutSeconds = Number("request-timeout", 0),
            InterruptTimeoutSeconds = Number("interrupt-timeout", 0),
            QueueTimeoutSeconds = Number("queue-timeout", 0),
            ListenBacklog = Number("listen-backlog", 100),
            InactivityTimeoutSeconds = Number("inactivity-timeout", 0),
            GracefulTimeoutSeconds = Number("graceful-timeout", 15),
            ShutdownTimeoutSeconds = Number("shutdown-timeout", 5),
            StartupTimeoutSeconds = Number("startup-timeout", 0),
            RestartIntervalSeconds = Number("restart-interval", 0),
            DeadlockTimeoutSeconds = Number("deadlock-timeout", 300),
            ConnectTimeoutSeconds = Number("connect-timeout", 15),
            SocketTimeoutSeconds = Number("socket-timeout", 0),
            ResponseSocketTimeoutSeconds = Number("response-socket-timeout", 0),
            // 0 (what mod_wsgi-express writes) means the built-in size, as in mod_wsgi.
            HeaderBufferSize = Number("header-buffer-size", 0) is > 0 and int size ? size : DaemonGroupConfig.DefaultHeaderBufferSize,
            SendBufferSize = Number("send-buffer-size", 0) is > 0 and int send ? send : DaemonGroupConfig.DefaultSendBufferSize,
            ReceiveBufferSize = Number("receive-buffer-size", 0),
            Options = valid,
        };
    }

    /// <summary>
    /// What is wrong with one option's value, with a fix where there is one; null when it is
    /// valid. The message names the option as it was written: "request-timeout=" in a
    /// configuration, "--request-timeout" on serve's command line (<paramref name="commandLine"/>).
    /// </summary>
    public static (string Message, string? Fix)? Check(string option, string value, bool commandLine, string serverRoot)
    {
        Kind kind = Options[option];
        string shown = commandLine ? "--" + option : option + "=";
        string With(string v) => commandLine ? $"--{option} {v}" : $"{option}={v}";
        switch (kind)
        {
            case Kind.Count or Kind.Seconds or Kind.Bytes:
                long min = Minimum.GetValueOrDefault(option, 0);
                // The memory limits are 64-bit, as mod_wsgi reads them (apr_atoi64): 4 GiB is a usual one.
                long max = option switch
                {
                    "threads" => 65533,
                    "interpreters" => WsgiDirectives.MaxApplicationInterpreters,
                    "memory-limit" or "virtual-memory-limit" => long.MaxValue,
                    _ => int.MaxValue,
                };
                if (!long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out long n) || n > max || (n < min && !(n == 0 && option.EndsWith("-buffer-size", StringComparison.Ordinal))))
                {
                    string unit = kind switch { Kind.Seconds => " seconds", Kind.Bytes => " bytes", _ => "" };
                    return ($"{shown} must be a whole number{unit} from {min} to {max}, got '{value}'", null);
                }
                return null;
            case Kind.Priority:
                return int.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int priority) && priority is >= -20 and <= 20
                    ? null : ($"{shown} must be from -20 to 20, got '{value}'", null);
            case Kind.Flag:
                return value.Equals("on", StringComparison.OrdinalIgnoreCase) || value.Equals("off", StringComparison.OrdinalIgnoreCase)
                    ? null : ($"{shown} must be On or Off, got '{value}'", null);
            case Kind.Octal:
                return value.Any(c => c is < '0' or > '7') || value.Length > 4 ? ($"{shown} must be octal like 0022, got '{value}'", null) : null;
            case Kind.AbsolutePath:
                if (!Path.IsPathRooted(value))
                {
                    return ($"{shown} must be an absolute path, got '{value}'", With(Path.GetFullPath(Path.Combine(serverRoot, value))));
                }
                // The worker changes into it first thing: a folder that is not there fails every start.
                return option == "home" && !Directory.Exists(value) ? ($"{shown}{value} is not a folder on this machine, so no worker could start", "create the folder, or give the app's folder") : null;
            case Kind.PathList:
                var relative = value.Split(':', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault(d => !Path.IsPathRooted(d));
                return relative == null ? null : ($"{shown} entries must be absolute, got '{relative}'", null);
            case Kind.Identity:
                if (value is "root" or "#0")
                {
                    return ($"{With(value)}: WSGI daemon processes are blocked from running as root", "name an unprivileged user");
                }
                // Apache refuses an unknown name too (AH00543); a worker could not become it, and would fail every start.
                bool isUser = option is "user" or "script-user" or "socket-user";
                return Daemon.DaemonIdentity.Exists(value, isUser) ? null
                    : ($"{shown}{value}: no such {(isUser ? "user" : "group")} on this machine ({(isUser ? "/etc/passwd" : "/etc/group")})",
                        isUser ? $"create it (adduser --system {value}), or name an existing user or #uid" : $"create it (addgroup --system {value}), or name an existing group or #gid");
            default:
                return null;
        }
    }
}
