namespace WsgiHost.Access;

/// <summary>
/// A host or domain name as <c>Require host</c> and <c>Allow from</c> take it, matched as mod_authz_host's
/// <c>in_domain</c> does: case-insensitively, either the whole name, or a suffix that starts at a dot, so
/// <c>example.com</c> and <c>.example.com</c> both match <c>www.example.com</c>, and neither matches
/// <c>badexample.com</c>. Apache has no wildcards here, so <c>*.example.com</c> would never match; it is rejected.
/// </summary>
internal sealed class HostNamePattern
{
    private HostNamePattern(string text) => Text = text;

    public string Text { get; }

    /// <summary>Null with a problem and a fix when the word cannot be a host or domain name.</summary>
    public static HostNamePattern? TryParse(string text, out string? problem, out string? fix)
    {
        problem = null;
        fix = null;
        if (text.Contains('*') || text.Contains('?'))
        {
            problem = $"'{text}' has a wildcard, which host rules do not support (it would never match)";
            fix = $"write the domain with a leading dot, e.g. '{text.TrimStart('*', '?')}' to match every host in it";
            return null;
        }

        var name = text.StartsWith('.') ? text[1..] : text;
        var labels = name.Split('.');
        if (name.Length == 0 || labels.Any(l => l.Length == 0 || !l.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_')))
        {
            problem = $"'{text}' is not a host or domain name";
            fix = "write a name such as 'www.example.com', or '.example.com' for every host in the domain";
            return null;
        }

        return new HostNamePattern(text);
    }

    public bool Matches(string hostName)
    {
        var host = hostName.TrimEnd('.');
        if (!host.EndsWith(Text, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        var start = host.Length - Text.Length;
        return start == 0 || Text[0] == '.' || host[start - 1] == '.';
    }

    public override string ToString() => Text;
}
