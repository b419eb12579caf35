using WsgiHost.Python.Wsgi;
using WsgiHost.StaticFiles;

namespace WsgiHost.Server;

/// <summary>What a mapped URL is served by.</summary>
internal abstract class Route;

internal sealed class WsgiRoute(WsgiApplication application) : Route
{
    public WsgiApplication Application { get; } = application;
}

internal sealed class AliasRoute(StaticAliasHandler handler) : Route
{
    public StaticAliasHandler Handler { get; } = handler;
}
