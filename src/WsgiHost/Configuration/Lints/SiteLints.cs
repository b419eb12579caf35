using WsgiHost.Configuration.Model;
using WsgiHost.Configuration.Syntax;

namespace WsgiHost.Configuration.Lints;

/// <summary>
/// `wsgihost check`'s look for the classic misconfigurations of Apache + mod_wsgi sites: each
/// lint reads the built configuration (and, where it must, the scripts it names) and reports
/// with file, line and a fix. Lints only warn: the configuration is valid, but likely wrong.
/// </summary>
internal static class SiteLints
{
    public static IReadOnlyList<ConfigDiagnostic> Run(SiteConfig site, int? processorCount = null, DateTimeOffset? now = null)
    {
        var found = new List<ConfigDiagnostic>();
        MappingLints.ShadowedAliases(site, found);
        MappingLints.AliasSlashMismatch(site, found);
        MappingLints.AliasesHidingScriptAliases(site, found);
        MappingLints.LocationAccessOnWsgiUrls(site, found);
        MappingLints.ScriptsServedAsFiles(site, found);
        GroupLints.UnusedDaemonGroups(site, found);
        GroupLints.SharedEnvironSetdefault(site, found);
        GroupLints.RootKeptForADaemonGroup(site, found);
        GroupLints.PythonHomes(site, found);
        GroupLints.ThreadsBeyondCores(site, processorCount ?? Environment.ProcessorCount, found);
        GroupLints.InterpretersBeyondCores(site, processorCount ?? Environment.ProcessorCount, found);
        GroupLints.InterpretersBeyondThreads(site, found);
        HostLints.FallThrough(site, found);
        HostLints.WildcardHiddenByAddress(site, found);
        SubInterpreterLints.OffendingImports(site, found);
        TlsLints.Certificates(site, now ?? DateTimeOffset.UtcNow, found);
        MetadataLints.HstsWithoutAlways(site, found);
        MetadataLints.HttpsFromClientHeaders(site, found);
        MetadataLints.RedirectsHidingMappings(site, found);
        MetadataLints.ErrorDocumentsWithoutAFile(site, found);
        MetadataLints.XSendFileWithoutPaths(site, found);
        AccessFileLints.Unread(site, found);
        AccessLints.UnreachableMounts(site, found);
        AuthScriptLints.Unusable(site, found);
        return found;
    }

    internal static ConfigDiagnostic Warning(SourceLocation at, string directive, string message, string fix) =>
        new(DiagnosticSeverity.Warning, at, directive, message, fix);
}
