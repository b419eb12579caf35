using System.Net;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http;

namespace WsgiHost.Metadata;

/// <summary>
/// Runs a request's SetEnvIf lines in order (the server's and virtual host's, then its sections',
/// as mod_setenvif runs them before and after mapping the URL) and returns the request's
/// assignments: those the lines made, then the scopes' SetEnv/UnsetEnv, which mod_env applies later.
/// </summary>
internal static class SetEnvIfEvaluation
{
    /// <remarks>A request no line matches gets <paramref name="setEnv"/> itself back, so it builds nothing and keeps the shared environ options.</remarks>
    public static IReadOnlyList<KeyValuePair<string, string?>> Evaluate(IReadOnlyList<SetEnvIfRule> rules, HttpContext context, string uriPath,
        IReadOnlyList<KeyValuePair<string, string?>> setEnv)
    {
        List<KeyValuePair<string, string?>>? assignments = null;
        foreach (SetEnvIfRule rule in rules)
        {
            string value = Value(rule, context, uriPath, assignments) ?? "";
            Match match = rule.Pattern.Match(value);
            if (!match.Success)
            {
                continue;
            }
            assignments ??= new List<KeyValuePair<string, string?>>(rule.Assignments.Count + setEnv.Count);
            foreach (var (name, template) in rule.Assignments)
            {
                assignments.Add(new(name, template == null ? null : template.Contains('$') ? match.Result(template) : template));
            }
        }
        if (assignments == null)
        {
            return setEnv;
        }
        assignments.AddRange(setEnv);
        return assignments;
    }

    private static string? Value(SetEnvIfRule rule, HttpContext context, string uriPath, List<KeyValuePair<string, string?>>? assignments)
    {
        ConnectionInfo connection = context.Connection;
        HttpRequest request = context.Request;
        switch (rule.Attribute)
        {
            case RequestAttribute.RemoteAddr:
            case RequestAttribute.RemoteHost:
                // HostnameLookups is off here, so the remote host is its address, as Apache's would be.
                return Address(connection.RemoteIpAddress);
            case RequestAttribute.ServerAddr:
                return Address(connection.LocalIpAddress);
            case RequestAttribute.RemoteUser:
                return null;
            case RequestAttribute.RequestUri:
                return uriPath;
            case RequestAttribute.RequestMethod:
                return request.Method;
            case RequestAttribute.RequestProtocol:
                return WsgiHost.Server.RequestProtocol.Of(request);
            case RequestAttribute.HeaderNamePattern:
                // The last header whose name matches, as mod_setenvif walks them all.
                string? found = null;
                foreach (var (name, values) in request.Headers)
                {
                    if (rule.NamePattern!.IsMatch(name))
                    {
                        found = values.Count > 0 ? values[0] : "";
                    }
                }
                return found;
            default:
                // A header first; without one, a variable an earlier line set.
                return request.Headers.TryGetValue(rule.Name, out var header) && header.Count > 0 ? header[0]
                    : assignments == null ? null : RequestVariables.Get(assignments, rule.Name);
        }
    }

    private static string? Address(IPAddress? address) => address is { IsIPv4MappedToIPv6: true } ? address.MapToIPv4().ToString() : address?.ToString();
}
