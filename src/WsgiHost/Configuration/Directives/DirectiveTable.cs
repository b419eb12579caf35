using System.Collections.Frozen;

namespace WsgiHost.Configuration.Directives;

/// <summary>Every directive WsgiHost reads, by name (case-insensitive, as Apache).</summary>
internal static class DirectiveTable
{
    public static FrozenDictionary<string, DirectiveSpec> Directives { get; } =
        CoreDirectives.All()
            .Concat(LogDirectives.All())
            .Concat(SslDirectives.All())
            .Concat(WsgiDirectives.All())
            .Concat(RequestLimitDirectives.All())
            .Concat(CompressionDirectives.All())
            .Concat(MetadataDirectives.All())
            .Concat(RedirectDirectives.All())
            .Concat(ExpiresDirectives.All())
            .Concat(RemoteIpDirectives.All())
            .Concat(RewriteDirectives.All())
            .Concat(MimeDirectives.All())
            .Concat(ErrorDocumentDirective.All())
            .Concat(XSendFileDirectives.All())
            .Concat(ApacheOnlyDirectives.All())
            .ToFrozenDictionary(d => d.Name, StringComparer.OrdinalIgnoreCase);

    /// <summary>Section tags with a meaning of their own (handled by the builder).</summary>
    public static IReadOnlyList<string> Sections { get; } =
        ["VirtualHost", "Directory", "DirectoryMatch", "Location", "LocationMatch", "Files", "FilesMatch", "RequireAll", "RequireAny", "RequireNone"];

    public static string? Suggest(string name) => DidYouMean.Suggest(name, Directives.Keys.Concat(Sections));
}
