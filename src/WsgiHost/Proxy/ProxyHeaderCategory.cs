namespace WsgiHost.Proxy;

/// <summary>What a trusted proxy header says about the original request (mod_wsgi's wsgi_environ.c registry).</summary>
internal enum ProxyHeaderCategory
{
    Client,
    Host,
    Server,
    Port,
    ScriptName,
    Scheme,
}
