// TEMPORARY: replaced by the access-control work merged from branch `access`.
using WsgiHost.Configuration.Syntax;

namespace WsgiHost.Access;

public enum SectionKind { Directory, DirectoryMatch, Files, FilesMatch, Location, LocationMatch }

public sealed record Section<T>(SectionKind Kind, string Pattern, T Payload, SourceLocation Location);

public sealed class SectionWalk<T>(IEnumerable<Section<T>> sections)
{
    private readonly List<Section<T>> _sections = [.. sections];

    public IReadOnlyList<T> Applicable(string urlPath, string? filePath) =>
        [.. _sections.Where(s => s.Kind == SectionKind.Location && (urlPath == s.Pattern || urlPath.StartsWith(s.Pattern.TrimEnd('/') + "/", StringComparison.Ordinal))).Select(s => s.Payload)];

    public static Section<T>? TryCreate(SectionKind kind, IReadOnlyList<string> args, T payload, SourceLocation location, ICollection<ConfigDiagnostic> diagnostics) =>
        new(kind, args[0], payload, location);
}

public sealed record AccessRules(bool Granted)
{
    public static AccessRules Merge(AccessRules? parent, AccessRules child) => child;

    public AccessDecision Evaluate(AccessRequest request) => new(Granted, Granted ? "" : "client denied by server configuration");
}

public sealed record AccessRequest(System.Net.IPAddress Client, Func<System.Net.IPAddress, string?> ResolveHost);

public sealed record AccessDecision(bool Granted, string Reason);

public static class AccessRulesParser
{
    public static bool IsAccessDirective(string name) => name.ToLowerInvariant() is "require" or "requireall" or "requireany" or "requirenone" or "order" or "allow" or "deny" or "satisfy" or "authmerging";

    public static AccessRules? Parse(IReadOnlyList<ConfigNode> directives, ICollection<ConfigDiagnostic> diagnostics)
    {
        var access = directives.Where(d => IsAccessDirective(d.Name)).ToList();
        if (access.Count == 0)
        {
            return null;
        }
        return new AccessRules(access.All(a => string.Join(' ', a.Arguments).Equals("all granted", StringComparison.OrdinalIgnoreCase)));
    }
}
