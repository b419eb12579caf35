using WsgiHost.Configuration.Syntax;

namespace WsgiHost.Configuration.Model;

/// <summary>
/// mod_alias's Redirect URL-path URL (the rest of the path follows the URL) or RedirectMatch regex
/// URL (with $1.. substituted), answered with <see cref="Status"/>; <see cref="Target"/> is null
/// for a status that is not a redirect (410 Gone and the like), which answers with an error page.
/// </summary>
internal sealed record RedirectConfig(string UrlPattern, bool IsRegex, int Status, string? Target, SourceLocation Location)
{
    public string DirectiveName => IsRegex ? "RedirectMatch" : "Redirect";
}
