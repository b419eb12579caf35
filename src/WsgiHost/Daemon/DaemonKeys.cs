namespace WsgiHost.Daemon;

/// <summary>Entries of a request frame that tell the worker what to run; never shown to the app.</summary>
internal static class DaemonKeys
{
    public const string Prefix = "wsgihost.";

    /// <summary>The per-start secret: a worker serves only the front that started it.</summary>
    public const string Secret = "wsgihost.secret";

    public const string Script = "wsgihost.script";

    public const string Callable = "wsgihost.callable";

    public const string ApplicationGroup = "wsgihost.application_group";

    public const string ScriptReloading = "wsgihost.script_reloading";

    /// <summary>"1" when the client's method was HEAD (REQUEST_METHOD may show GET: WSGIMapHEADToGET).</summary>
    public const string Head = "wsgihost.head";

    public const string Client = "wsgihost.client";

    /// <summary>"1" when XSendFile is On for the request: the front replaces a 200 that names a file, so its body may be short.</summary>
    public const string XSendFile = "wsgihost.x_sendfile";

    /// <summary>
    /// "1" when the request's whole body follows its head in the same write (none, or a small one
    /// the front had read already), up to its end-of-body marker: the worker reads it all before
    /// it takes the request and answers <see cref="DaemonProtocol.Accepted"/> with the response,
    /// not before it.
    /// </summary>
    public const string BodyComplete = "wsgihost.body_complete";

    /// <summary>The environment variable that carries the secret to the worker (never its command line).</summary>
    public const string SecretVariable = "WSGIHOST_DAEMON_SECRET";
}
