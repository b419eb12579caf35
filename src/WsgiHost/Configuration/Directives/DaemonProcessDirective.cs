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
        var numbers = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var (option, value) in options)
        {
            if (Check(node, option, value, context, out long? number))
            {
                valid[option] = value;
                if (number is long n)
                {
                    numbers[option] = n;
                }
            }
        }
        if (valid.ContainsKey("script-user") && valid.ContainsKey("script-group"))
        {
            context.Error(node, "script-user= and script-group= cannot both be given", "keep one of them");
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
        int Seconds(string key, int fallback) => numbers.TryGetValue(key, out long v) ? (int)v : fallback;
        var group = new DaemonGroupConfig
        {
            Name = name,
            Location = node.Location,
            OwnerLocation = context.Scope.IsVirtualHost ? context.Scope.Location : null,
            Processes = numbers.TryGetValue("processes", out long p) ? (int)p : null,
            Threads = Seconds("threads", 15),
            Interpreters = numbers.TryGetValue("interpreters", out long interpreters) ? (int)interpreters : null,
            PythonHome = valid.GetValueOrDefault("python-home"),
            PythonPath = valid.TryGetValue("python-path", out string? pp) ? pp.Split(':', StringSplitOptions.RemoveEmptyEntries) : [],
            Home = valid.GetValueOrDefault("home"),
            DisplayName = valid.GetValueOrDefault("display-name"),
            User = valid.GetValueOrDefault("user"),
            Group = valid.GetValueOrDefault("group"),
            Lang = valid.GetValueOrDefault("lang"),
            Locale = valid.GetValueOrDefault("locale"),
            MaximumRequests = Seconds("maximum-requests", 0),
            RequestTimeoutSeconds = Seconds("request-timeout", 0),
            InterruptTimeoutSeconds = Seconds("interrupt-timeout", 0),
            QueueTimeoutSeconds = Seconds("queue-timeout", 0),
            InactivityTimeoutSeconds = Seconds("inactivity-timeout", 0),
            GracefulTimeoutSeconds = Seconds("graceful-timeout", 15),
            ShutdownTimeoutSeconds = Seconds("shutdown-timeout", 5),
            StartupTimeoutSeconds = Seconds("startup-timeout", 0),
            RestartIntervalSeconds = Seconds("restart-interval", 0),
            DeadlockTimeoutSeconds = Seconds("deadlock-timeout", 300),
            ConnectTimeoutSeconds = Seconds("connect-timeout", 15),
            SocketTimeoutSeconds = Seconds("socket-timeout", 0),
            // 0 (what mod_wsgi-express writes) means the built-in size, as in mod_wsgi.
            HeaderBufferSize = Seconds("header-buffer-size", 0) is > 0 and int size ? size : DaemonGroupConfig.DefaultHeaderBufferSize,
            SendBufferSize = Seconds("send-buffer-size", 0) is > 0 and int send ? send : DaemonGroupConfig.DefaultSendBufferSize,
            ReceiveBufferSize = Seconds("receive-buffer-size", 0),
            Options = valid,
        };
        context.Site.DaemonGroups.Add((group, context.Scope));
    }

    private static bool Check(ConfigNode node, string option, string value, BuildContext context, out long? number)
    {
        number = null;
        Kind kind = Options[option];
        switch (kind)
        {
            case Kind.Count or Kind.Seconds or Kind.Bytes:
                long min = Minimum.GetValueOrDefault(option, 0);
                long max = option switch { "threads" => 65533, "interpreters" => WsgiDirectives.MaxApplicationInterpreters, _ => int.MaxValue };
                if (!long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out long n) || n > max || (n < min && !(n == 0 && option.EndsWith("-buffer-size", StringComparison.Ordinal))))
                {
                    string unit = kind switch { Kind.Seconds => " seconds", Kind.Bytes => " bytes", _ => "" };
                    context.Error(node, $"{option}= must be a whole number{unit} from {min} to {max}, got '{value}'", null);
                    return false;
                }
                number = n;
                return true;
            case Kind.Priority:
                if (!int.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int priority) || priority is < -20 or > 20)
                {
                    context.Error(node, $"cpu-priority= must be from -20 to 20, got '{value}'", null);
                    return false;
                }
                return true;
            case Kind.Flag:
                if (!value.Equals("on", StringComparison.OrdinalIgnoreCase) && !value.Equals("off", StringComparison.OrdinalIgnoreCase))
                {
                    context.Error(node, $"{option}= must be On or Off, got '{value}'", null);
                    return false;
                }
                return true;
            case Kind.Octal:
                if (value.Any(c => c is < '0' or > '7') || value.Length > 4)
                {
                    context.Error(node, $"umask= must be octal like 0022, got '{value}'", null);
                    return false;
                }
                return true;
            case Kind.AbsolutePath:
                if (!Path.IsPathRooted(value))
                {
                    context.Error(node, $"{option}= must be an absolute path, got '{value}'", $"{option}={Path.GetFullPath(Path.Combine(context.Site.ServerRoot, value))}");
                    return false;
                }
                return true;
            case Kind.PathList:
                var relative = value.Split(':', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault(d => !Path.IsPathRooted(d));
                if (relative != null)
                {
                    context.Error(node, $"python-path= entries must be absolute, got '{relative}'", null);
                    return false;
                }
                return true;
            case Kind.Identity:
                if (value is "root" or "#0")
                {
                    context.Error(node, $"{option}={value}: WSGI daemon processes are blocked from running as root", "name an unprivileged user");
                    return false;
                }
                return true;
            default:
                return true;
        }
    }
}
