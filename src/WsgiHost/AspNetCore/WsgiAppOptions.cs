namespace WsgiHost.AspNetCore;

/// <summary>
/// Settings of one WSGI application mounted with
/// <see cref="WsgiEndpointRouteBuilderExtensions.MapWsgi"/>; each has the meaning of the
/// mod_wsgi directive it is named after.
/// </summary>
public sealed class WsgiAppOptions
{
    /// <summary>
    /// The interpreter the application runs in (<c>WSGIApplicationGroup</c>). <c>""</c>, the
    /// default, is the main interpreter (<c>%{GLOBAL}</c>), the only one where every C extension
    /// (numpy, PyO3 modules, grpc) works. Any other name is a sub-interpreter of its own, created
    /// on first use and shared by the applications that name it.
    /// </summary>
    public string ApplicationGroup { get; set; } = "";

    /// <summary>
    /// The daemon process group that runs the application (<c>WSGIProcessGroup</c>), defined
    /// with <see cref="WsgiOptions.AddDaemonProcess"/>. <c>""</c>, the default, runs it embedded
    /// in the host process.
    /// </summary>
    public string ProcessGroup { get; set; } = "";

    /// <summary>The name of the WSGI callable in the script (<c>WSGICallableObject</c>); <c>application</c> by default.</summary>
    public string CallableObject { get; set; } = "application";

    /// <summary>Pass the <c>Authorization</c> header to the application as <c>HTTP_AUTHORIZATION</c> (<c>WSGIPassAuthorization On</c>); off by default.</summary>
    public bool PassAuthorization { get; set; }

    /// <summary>Re-execute the script when its modification time changes (<c>WSGIScriptReloading</c>); on by default.</summary>
    public bool ScriptReloading { get; set; } = true;

    /// <summary>Accept request bodies sent with <c>Transfer-Encoding: chunked</c> (<c>WSGIChunkedRequest On</c>); otherwise they get 411. Off by default.</summary>
    public bool ChunkedRequest { get; set; }

    /// <summary>The largest request body accepted, in bytes (<c>LimitRequestBody</c>); a larger one gets 413. Null or 0 leaves Kestrel's own limit.</summary>
    public long? LimitRequestBody { get; set; }

    /// <summary>
    /// Extra entries of every request's WSGI environ (Apache's <c>SetEnv</c>). They never reach
    /// <c>os.environ</c>, and the CGI variables of the request win over them.
    /// </summary>
    public IDictionary<string, string> Environment { get; set; } = new Dictionary<string, string>(StringComparer.Ordinal);
}
