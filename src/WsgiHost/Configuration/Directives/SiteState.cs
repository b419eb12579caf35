using WsgiHost.Configuration.Model;
using WsgiHost.Configuration.Syntax;
using WsgiHost.Python.Runtime;

namespace WsgiHost.Configuration.Directives;

/// <summary>The server-wide part of a configuration while it is being built, and its diagnostics.</summary>
internal sealed class SiteState(string serverRoot)
{
    public List<ConfigDiagnostic> Diagnostics { get; } = [];

    /// <summary>Where relative paths start: ServerRoot, else the main file's folder.</summary>
    public string ServerRoot { get; set; } = serverRoot;

    public List<ListenAddress> Listeners { get; } = [];

    public List<(DaemonGroupConfig Group, ScopeBuilder Scope)> DaemonGroups { get; } = [];

    public List<ImportScriptConfig> ImportScripts { get; } = [];

    /// <summary>Static process-group names used somewhere, checked once every group is known.</summary>
    public List<GroupReference> GroupReferences { get; } = [];

    public List<PendingNickname> PendingNicknames { get; } = [];

    public string? PythonHome { get; set; }

    public SourceLocation? PythonHomeLocation { get; set; }

    public List<string> PythonPath { get; } = [];

    public bool RestrictEmbedded { get; set; }

    /// <summary>WSGIPythonOptimize.</summary>
    public int PythonOptimize { get; set; }

    /// <summary>WSGISubInterpreterGIL Own.</summary>
    public bool OwnGil { get; set; }

    /// <summary>WSGIApplicationInterpreters.</summary>
    public int ApplicationInterpreters { get; set; } = 1;

    public SourceLocation? ApplicationInterpretersLocation { get; set; }

    public int? Threads { get; set; }

    /// <summary>Apache's User and Group.</summary>
    public string? RunAsUser { get; set; }

    public string? RunAsGroup { get; set; }

    public Dictionary<string, string> LogFormats { get; } = new(StringComparer.Ordinal)
    {
        // Apache's stock formats, so CustomLog ... combined works without a LogFormat line.
        ["common"] = "%h %l %u %t \"%r\" %>s %b",
        ["combined"] = "%h %l %u %t \"%r\" %>s %b \"%{Referer}i\" \"%{User-Agent}i\"",
        ["vhost_combined"] = "%v:%p %h %l %u %t \"%r\" %>s %O \"%{Referer}i\" \"%{User-Agent}i\"",
        ["referer"] = "%{Referer}i -> %U",
        ["agent"] = "%{User-agent}i",
    };

    public ErrorLogLevel LogLevel { get; set; } = ErrorLogLevel.Warning;

    public Dictionary<string, ErrorLogLevel> ModuleLogLevels { get; } = new(StringComparer.OrdinalIgnoreCase);

    public string? ErrorLogPath { get; set; }

    public string? PidFile { get; set; }

    public int TimeoutSeconds { get; set; } = 60;

    public int KeepAliveTimeoutSeconds { get; set; } = 5;

    public int GracefulShutdownTimeoutSeconds { get; set; } = 10;

    public bool KeepAlive { get; set; } = true;

    /// <summary>MaxKeepAliveRequests; 0 (also when not given) is unlimited.</summary>
    public int MaxKeepAliveRequests { get; set; }

    public Model.RequestLimits RequestLimits { get; set; } = new();

    public void Report(DiagnosticSeverity severity, ConfigNode node, string message, string? fix) =>
        Diagnostics.Add(new ConfigDiagnostic(severity, node.Location, node.IsSection ? $"<{node.Name}>" : node.Name, message, fix));
}

/// <summary>A static process-group name written at <paramref name="Node"/> in <paramref name="Scope"/>.</summary>
internal sealed record GroupReference(string Name, ScopeBuilder Scope, ConfigNode Node);
