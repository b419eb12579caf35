using WsgiHost.Configuration.Syntax;

namespace WsgiHost.Configuration.Model;

/// <summary>Alias URL-path target, or AliasMatch regex target (with $1.. substituted).</summary>
internal sealed record AliasConfig(string UrlPattern, bool IsRegex, string Target, SourceLocation Location)
{
    /// <summary>
    /// A ScriptAlias (or ScriptAliasMatch): a folder of CGI programs, which WsgiHost does not run.
    /// Its URLs are answered 403, so a program's file is never sent as its source.
    /// </summary>
    public bool IsCgi { get; init; }

    public string DirectiveName => (IsCgi ? "Script" : "") + (IsRegex ? "AliasMatch" : "Alias");
}

/// <summary>WSGIScriptAlias URL-path target [options], or WSGIScriptAliasMatch regex target [options].</summary>
internal sealed record ScriptAliasConfig(string UrlPattern, bool IsRegex, string Target, ScriptAliasOptions Options, SourceLocation Location)
{
    public string DirectiveName => IsRegex ? "WSGIScriptAliasMatch" : "WSGIScriptAlias";

    /// <summary>
    /// What the target names after the script file ("" when it names the file itself): "/" for
    /// <c>WSGIScriptAlias /app/ /srv/app.wsgi/</c>, "/accounts" for <c>WSGIScriptAlias /accounts
    /// /srv/app.wsgi/accounts</c> (Fedora's FAS). <see cref="Target"/> is the file. Apache maps the
    /// URL onto the whole target + the rest and its directory walk stops at the file, so this,
    /// then the rest of the URL, is always PATH_INFO.
    /// </summary>
    public string PathAfterScript { get; init; } = "";
}

/// <summary>
/// The options a WSGIScriptAlias may carry; each overrides the matching per-directory directive
/// (WSGIProcessGroup, WSGIApplicationGroup, WSGICallableObject, WSGIPassAuthorization).
/// </summary>
internal sealed record ScriptAliasOptions(string? ProcessGroup, string? ApplicationGroup, string? CallableObject, bool? PassAuthorization)
{
    public static readonly ScriptAliasOptions None = new(null, null, null, null);
}

/// <summary>WSGIImportScript path process-group=N application-group=N (or an alias preload).</summary>
internal sealed record ImportScriptConfig(string ScriptPath, string ProcessGroup, string ApplicationGroup, SourceLocation Location);
