using WsgiHost.Python.Runtime;
using WsgiHost.Python.Wsgi;

namespace WsgiHost.Configuration.Model;

/// <summary>
/// What the server runs, as immutable data. `wsgihost serve` builds it from its options;
/// the Apache-syntax configuration reader builds the same model, so the two never drift.
/// </summary>
public sealed record ServerModel
{
    public string Host { get; init; } = "127.0.0.1";

    public int Port { get; init; } = 8000;

    /// <summary>ServerName: SERVER_NAME when the request has no Host header.</summary>
    public string? ServerName { get; init; }

    /// <summary>WSGI request threads of the embedded executor.</summary>
    public int Threads { get; init; } = 5;

    public PythonSettings Python { get; init; } = new();

    public IReadOnlyList<WsgiMount> Mounts { get; init; } = [];

    public IReadOnlyList<StaticAlias> Aliases { get; init; } = [];

    /// <summary>DocumentRoot: DOCUMENT_ROOT in the environ.</summary>
    public string DocumentRoot { get; init; } = "";

    /// <summary>WSGIChunkedRequest: accept request bodies with Transfer-Encoding: chunked (else 411).</summary>
    public bool ChunkedRequest { get; init; }

    /// <summary>WSGIPassAuthorization: expose the Authorization header as HTTP_AUTHORIZATION.</summary>
    public bool PassAuthorization { get; init; }

    /// <summary>LimitRequestBody in bytes; null or 0 means unlimited (Apache's 0).</summary>
    public long? LimitRequestBody { get; init; }

    /// <summary>Write an access log line per request to standard output.</summary>
    public bool AccessLog { get; init; }

    public ErrorLogLevel LogLevel { get; init; } = ErrorLogLevel.Info;
}

/// <summary>Which Python to embed and how to prepare it.</summary>
public sealed record PythonSettings
{
    /// <summary>A python executable; its sysconfig finds libpython.</summary>
    public string? Executable { get; init; }

    /// <summary>A Python prefix or virtualenv (WSGIPythonHome, python-home=).</summary>
    public string? Home { get; init; }

    /// <summary>Extra directories first on sys.path (WSGIPythonPath, python-path=).</summary>
    public IReadOnlyList<string> Path { get; init; } = [];

    /// <summary>The process working directory while serving (home=).</summary>
    public string? WorkingDirectory { get; init; }
}

/// <summary>WSGIScriptAlias: a URL prefix served by a WSGI application.</summary>
public sealed record WsgiMount(string UrlPrefix, WsgiApplicationOptions Application);

/// <summary>Alias: a URL prefix served from a file or directory.</summary>
public sealed record StaticAlias(string UrlPrefix, string Path);
