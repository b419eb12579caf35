using Microsoft.Extensions.Logging;

namespace WsgiHost.AspNetCore;

/// <summary>
/// Process-wide settings of the embedded Python, given to
/// <see cref="WsgiServiceCollectionExtensions.AddWsgi"/>. One CPython runs per process, so
/// these apply to every application mounted with
/// <see cref="WsgiEndpointRouteBuilderExtensions.MapWsgi"/>.
/// </summary>
public sealed class WsgiOptions
{
    /// <summary>
    /// The Python executable whose installation is embedded (e.g. <c>/usr/bin/python3</c> or a
    /// virtualenv's <c>bin/python</c>). When neither this nor <see cref="PythonHome"/> is set,
    /// <c>python3</c> on PATH is used.
    /// </summary>
    public string? Python { get; set; }

    /// <summary>A Python prefix or virtualenv directory to embed instead of naming an executable (mod_wsgi's <c>WSGIPythonHome</c>).</summary>
    public string? PythonHome { get; set; }

    /// <summary>Directories put first on <c>sys.path</c>, as site directories so <c>.pth</c> files work (mod_wsgi's <c>WSGIPythonPath</c>).</summary>
    public IList<string> PythonPath { get; set; } = [];

    /// <summary>
    /// How many dedicated threads run WSGI requests (mod_wsgi's <c>threads=</c>); 5 by default.
    /// Python never runs on the .NET thread pool, so a blocking app cannot starve the host.
    /// </summary>
    public int Threads { get; set; } = 5;

    /// <summary>
    /// How many interpreters each embedded application runs in (WsgiHost's
    /// <c>WSGIApplicationInterpreters</c>); 1 by default. The extra ones have a GIL of their own
    /// (Python 3.13+; older Pythons log a warning and use one), so the host runs the app's
    /// Python on that many cores; each interpreter has its own copy of the app's modules.
    /// Daemon groups take theirs from <c>interpreters=</c>.
    /// </summary>
    public int Interpreters { get; set; } = 1;

    /// <summary>
    /// The least severe WsgiHost message (Python output, tracebacks, gateway errors) passed on to
    /// <see cref="ILogger"/> under the category <c>WsgiHost</c>; <see cref="LogLevel.Information"/>
    /// by default. The host's logging filters apply after this one.
    /// </summary>
    public LogLevel LogLevel { get; set; } = LogLevel.Information;

    /// <summary>
    /// Defines a daemon process group, as mod_wsgi's <c>WSGIDaemonProcess</c> line does: worker
    /// processes, each with its own Python, that serve the applications mounted with
    /// <see cref="WsgiAppOptions.ProcessGroup"/> set to <paramref name="name"/>. They start with
    /// the host and stop after it; a worker that dies fails only its own requests and is
    /// replaced. The workers are this host's own program started again (a .NET startup hook
    /// in WsgiHost makes them workers before <c>Main</c> runs), so nothing else is installed.
    /// When every mount uses a daemon group, the host process never loads Python.
    /// </summary>
    /// <param name="name">The group's name, unique in the host.</param>
    /// <param name="options">
    /// <c>WSGIDaemonProcess</c>'s options as written in an Apache configuration, e.g.
    /// <c>"processes=2 threads=8 maximum-requests=1000 request-timeout=60"</c>; every option
    /// mod_wsgi has is checked, and the ones WsgiHost acts on are listed in its README.
    /// </param>
    /// <returns>These options, for chaining.</returns>
    public WsgiOptions AddDaemonProcess(string name, string options = "")
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(options);
        DaemonProcesses.Add((name, options));
        return this;
    }

    /// <summary>The groups added with <see cref="AddDaemonProcess"/>, in order.</summary>
    internal List<(string Name, string Options)> DaemonProcesses { get; } = [];
}
