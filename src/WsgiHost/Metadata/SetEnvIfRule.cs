using System.Text.RegularExpressions;

namespace WsgiHost.Metadata;

/// <summary>What a SetEnvIf line tests: one of mod_setenvif's special names, a request header (by name or by a pattern of names), or a variable an earlier line set.</summary>
internal enum RequestAttribute
{
    Header,
    HeaderNamePattern,
    RemoteAddr,
    ServerAddr,
    RemoteHost,
    RemoteUser,
    RequestUri,
    RequestMethod,
    RequestProtocol,
}

/// <summary>
/// One SetEnvIf, SetEnvIfNoCase, BrowserMatch or BrowserMatchNoCase line: when the attribute's
/// value (empty when absent, so <c>^$</c> matches a missing header, as mod_setenvif does) matches
/// <see cref="Pattern"/>, each of <see cref="Assignments"/> is made: <c>var</c> sets "1",
/// <c>var=value</c> sets the value (<c>$1</c>..<c>$9</c> taken from the match: a value with a '$' is
/// kept in .NET's substitution syntax, converted once when the line is read), <c>!var</c> unsets.
/// </summary>
internal sealed record SetEnvIfRule(RequestAttribute Attribute, string Name, Regex? NamePattern, Regex Pattern, IReadOnlyList<KeyValuePair<string, string?>> Assignments,
    Configuration.Syntax.SourceLocation Location)
{
    /// <summary>The attribute a name given to SetEnvIf stands for; names are mod_setenvif's, without case.</summary>
    public static RequestAttribute AttributeOf(string name) => name.ToLowerInvariant() switch
    {
        "remote_addr" => RequestAttribute.RemoteAddr,
        "server_addr" => RequestAttribute.ServerAddr,
        "remote_host" => RequestAttribute.RemoteHost,
        "remote_user" => RequestAttribute.RemoteUser,
        "request_uri" => RequestAttribute.RequestUri,
        "request_method" => RequestAttribute.RequestMethod,
        "request_protocol" => RequestAttribute.RequestProtocol,
        // A name with anything but letters, digits, '-' and '_' is a pattern over header names.
        _ => name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_') ? RequestAttribute.Header : RequestAttribute.HeaderNamePattern,
    };
}
