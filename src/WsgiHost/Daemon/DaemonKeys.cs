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

    /// <summary>"1" when the request has no body (its end-of-body marker came with the head): the worker answers <see cref="DaemonProtocol.Accepted"/> with the response, not before it.</summary>
    public const string NoBody = "wsgihost.no_body";

    /// <summary>The environment variable that carries the secret to the worker (never its command line).</summary>
    public const string SecretVariable = "WSGIHOST_DAEMON_SECRET";
}
