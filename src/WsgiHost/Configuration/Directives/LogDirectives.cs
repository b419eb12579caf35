using WsgiHost.Configuration.Model;
using WsgiHost.Configuration.Syntax;
using WsgiHost.Python.Runtime;

namespace WsgiHost.Configuration.Directives;

/// <summary>ErrorLog, LogLevel, LogFormat, CustomLog and TransferLog.</summary>
internal static class LogDirectives
{
    private const DirectiveScope SV = DirectiveScope.ServerAndVirtualHost;

    public static IEnumerable<DirectiveSpec> All() =>
    [
        new("ErrorLog", SV, 1, 1, "file-path|syslog[:facility]", ErrorLog),
        new("PidFile", DirectiveScope.Server, 1, 1, "file-path", PidFile),
        new("LogLevel", SV, 1, -1, "[module:]level ...", LogLevel),
        new("LogFormat", SV, 1, 2, "format [nickname]", LogFormat),
        new("CustomLog", SV, 2, 3, "file format|nickname [env=[!]VAR]", CustomLog),
        new("TransferLog", SV, 1, 1, "file", TransferLog),
    ];

    private static void ErrorLog(ConfigNode node, BuildContext context)
    {
        string value = node.Arguments[0];
        if (value.StartsWith("syslog", StringComparison.OrdinalIgnoreCase))
        {
            context.Warning(node, "syslog is not supported; errors go to standard error", "give a file path, or run under systemd, which keeps standard error in the journal");
            return;
        }
        string path = Target(node, value, context);
        if (context.Scope.IsVirtualHost)
        {
            context.Scope.ErrorLog = path;
        }
        else
        {
            context.Site.ErrorLogPath = path;
        }
    }

    /// <summary>PidFile: where the server writes its pid (apache2ctl, systemd and logrotate read it); its folder must exist.</summary>
    private static void PidFile(ConfigNode node, BuildContext context) =>
        context.Site.PidFile = Target(node, node.Arguments[0], context, "pid file", "wsgihost.pid");

    /// <summary>
    /// A log file path; /dev/stdout, /dev/stderr and piped logs ("|program") are kept as written.
    /// A file's folder must exist, as Apache requires (AH02291): creating it would send a
    /// mistyped path's lines where nobody looks, made by root.
    /// </summary>
    private static string Target(ConfigNode node, string value, BuildContext context) =>
        Target(node, value, context, "log file", node.Name.Equals("ErrorLog", StringComparison.OrdinalIgnoreCase) ? "error.log" : "access.log");

    /// <param name="kind">What the file is, for the messages ("log file", "pid file").</param>
    /// <param name="example">A file name for the fix when a folder was given.</param>
    private static string Target(ConfigNode node, string value, BuildContext context, string kind, string example)
    {
        if (value.StartsWith("/dev/", StringComparison.Ordinal) || Logging.PipedLog.IsPipe(value))
        {
            return value;
        }
        string path = context.ResolvePath(value);
        string? folder = Path.GetDirectoryName(path);
        // A ${NAME} left in the path was reported as undefined already.
        if (folder != null && !Directory.Exists(folder) && !value.Contains("${", StringComparison.Ordinal))
        {
            context.Error(node, $"the folder of the {kind} {path} does not exist", $"create it (mkdir -p {folder}) or correct the path");
        }
        else if (Directory.Exists(path))
        {
            // run would refuse to open it; check says so first.
            context.Error(node, $"{path} is a folder, not a {kind}", $"name a file in it, as in {node.Name} {Path.Join(path, example)}");
        }
        return path;
    }

    private static void LogLevel(ConfigNode node, BuildContext context)
    {
        foreach (string arg in node.Arguments)
        {
            int colon = arg.IndexOf(':');
            string module = colon >= 0 ? arg[..colon] : "";
            string level = colon >= 0 ? arg[(colon + 1)..] : arg;
            if (!TryLevel(level, out ErrorLogLevel parsed))
            {
                context.Error(node, $"unknown level '{level}'", "one of emerg, alert, crit, error, warn, notice, info, debug, trace1..trace8");
                continue;
            }
            if (module.Length == 0)
            {
                // In a virtual host, for its messages only (Apache's per-server LogLevel).
                if (context.Scope.IsVirtualHost)
                {
                    context.Scope.LogLevel = parsed;
                }
                else
                {
                    context.Site.LogLevel = parsed;
                }
                continue;
            }
            // Apache names a module by its log name (wsgi), its identifier (wsgi_module) or its
            // source file (mod_wsgi.c); entries carry the log name.
            string name = ModuleName(module);
            if (!s_modules.Contains(name))
            {
                context.Warning(node, $"WsgiHost writes no messages as module '{module}', so '{arg}' changes nothing",
                    $"one of {string.Join(", ", s_modules.Order(StringComparer.Ordinal))}");
            }
            (context.Scope.IsVirtualHost ? context.Scope.ModuleLogLevels : context.Site.ModuleLogLevels)[name] = parsed;
        }
    }

    /// <summary>The modules WsgiHost's error log entries are written as.</summary>
    private static readonly HashSet<string> s_modules = new(StringComparer.OrdinalIgnoreCase) { "core", "wsgi", "ssl", "authz_core", "remoteip" };

    internal static string ModuleName(string module)
    {
        string name = module.ToLowerInvariant();
        if (name.StartsWith("mod_", StringComparison.Ordinal) && name.EndsWith(".c", StringComparison.Ordinal))
        {
            return name[4..^2];
        }
        return name.EndsWith("_module", StringComparison.Ordinal) ? name[..^7] : name;
    }

    internal static bool TryLevel(string value, out ErrorLogLevel level)
    {
        ErrorLogLevel? l = value.ToLowerInvariant() switch
        {
            "debug" or "trace1" or "trace2" or "trace3" or "trace4" or "trace5" or "trace6" or "trace7" or "trace8" => ErrorLogLevel.Debug,
            "info" => ErrorLogLevel.Info,
            "notice" => ErrorLogLevel.Notice,
            "warn" or "warning" => ErrorLogLevel.Warning,
            "error" => ErrorLogLevel.Error,
            "crit" or "alert" or "emerg" => ErrorLogLevel.Critical,
            _ => null,
        };
        level = l ?? ErrorLogLevel.Warning;
        return l != null;
    }

    /// <summary>TransferLog: the format of the last LogFormat without a nickname (the virtual host's own first), else Apache's common format.</summary>
    private static void TransferLog(ConfigNode node, BuildContext context) =>
        context.Scope.CustomLogs.Add(new CustomLogConfig(Target(node, node.Arguments[0], context),
            context.Scope.LogFormats.GetValueOrDefault("default") ?? context.Site.LogFormats.GetValueOrDefault("default") ?? context.Site.LogFormats["common"], node.Location));

    private static void LogFormat(ConfigNode node, BuildContext context)
    {
        string nickname = node.Arguments.Count == 2 ? node.Arguments[1] : "default";
        if (!IsValidFormat(node, node.Arguments[0], context))
        {
            return;
        }
        // In a virtual host, its own: Apache's other hosts keep the server's format of that name.
        (context.Scope.IsVirtualHost ? context.Scope.LogFormats : context.Site.LogFormats)[nickname] = node.Arguments[0];
    }

    private static bool IsValidFormat(ConfigNode node, string format, BuildContext context)
    {
        try
        {
            _ = Logging.LogFormat.Parse(format);
            return true;
        }
        catch (FormatException e)
        {
            context.Error(node, e.Message, "see https://httpd.apache.org/docs/2.4/mod/mod_log_config.html#formats");
            return false;
        }
    }

    private static void CustomLog(ConfigNode node, BuildContext context)
    {
        Metadata.VariableCondition? condition = null;
        if (node.Arguments.Count == 3 && (condition = Metadata.VariableCondition.TryParse(node.Arguments[2])) == null)
        {
            // A log line's condition changes no response: the site still starts, logging every request.
            context.Warning(node, $"the condition '{node.Arguments[2]}' is not supported; every request is logged",
                node.Arguments[2].StartsWith("expr=", StringComparison.OrdinalIgnoreCase)
                    ? "set a variable with SetEnvIf and write env=VAR (ap_expr expressions are not supported)"
                    : "write env=VAR or env=!VAR");
        }
        string format = node.Arguments[1];
        if (format.Contains('%') && !IsValidFormat(node, format, context))
        {
            return;
        }
        if (!format.Contains('%'))
        {
            // A nickname: Apache looks it up once the whole file is read, so a LogFormat may come later.
            context.Site.PendingNicknames.Add(new PendingNickname(context.Scope, context.Scope.CustomLogs.Count, node, format));
        }
        context.Scope.CustomLogs.Add(new CustomLogConfig(Target(node, node.Arguments[0], context), format, node.Location, condition));
    }

    /// <summary>Replaces every CustomLog nickname with its format, now that every LogFormat is known.</summary>
    internal static void ResolveNicknames(SiteState site)
    {
        foreach (PendingNickname pending in site.PendingNicknames)
        {
            if (pending.Scope.LogFormats.TryGetValue(pending.Nickname, out string? format) || site.LogFormats.TryGetValue(pending.Nickname, out format))
            {
                CustomLogConfig log = pending.Scope.CustomLogs[pending.Index];
                pending.Scope.CustomLogs[pending.Index] = log with { Format = format };
            }
            else
            {
                site.Report(DiagnosticSeverity.Error, pending.Node, $"no LogFormat is named '{pending.Nickname}'",
                    $"add LogFormat \"...\" {pending.Nickname}, or use combined or common");
            }
        }
    }
}

/// <summary>A CustomLog naming a LogFormat nickname, resolved after the whole file is read.</summary>
internal sealed record PendingNickname(ScopeBuilder Scope, int Index, ConfigNode Node, string Nickname);
