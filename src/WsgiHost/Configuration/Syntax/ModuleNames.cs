using System.Collections.Frozen;

namespace WsgiHost.Configuration.Syntax;

/// <summary>
/// Module names as <c>&lt;IfModule&gt;</c> takes them: the source file (<c>mod_wsgi.c</c>), the module
/// identifier (<c>wsgi_module</c>) or the bare file name (<c>mod_wsgi</c>) all name the same module.
/// </summary>
internal static class ModuleNames
{
    /// <summary>
    /// The modules WsgiHost provides the equivalent of, in whole or in part: a section for one of
    /// them is read, so what WsgiHost does not do inside it is an error rather than skipped
    /// unseen (a force-HTTPS RewriteRule in &lt;IfModule mod_rewrite.c&gt; was dropped, and the
    /// site served plain HTTP). mpm_event is the MPM whose tuning a site carries (Debian's).
    /// </summary>
    public static readonly IReadOnlySet<string> DefaultLoaded = new[]
    {
        "wsgi_module", "ssl_module", "alias_module", "authz_core_module", "authz_host_module",
        "access_compat_module", "log_config_module", "mime_module", "dir_module", "env_module",
        "setenvif_module", "headers_module", "version_module", "filter_module", "deflate_module", "brotli_module",
        "expires_module", "remoteip_module", "xsendfile_module", "rewrite_module", "reqtimeout_module",
        "status_module", "http2_module", "mpm_event_module",
    }.ToFrozenSet(StringComparer.OrdinalIgnoreCase);

    /// <summary>The part every spelling shares: <c>wsgi</c> for all three above.</summary>
    public static string Canonical(string name)
    {
        if (name.EndsWith(".c", StringComparison.OrdinalIgnoreCase))
        {
            name = name[..^2];
        }

        if (name.StartsWith("mod_", StringComparison.OrdinalIgnoreCase))
        {
            name = name[4..];
        }
        else if (name.EndsWith("_module", StringComparison.OrdinalIgnoreCase))
        {
            name = name[..^7];
        }

        return name.ToLowerInvariant();
    }

    public static bool IsLoaded(string name, IReadOnlySet<string> loaded)
    {
        var wanted = Canonical(name);
        return loaded.Any(m => Canonical(m) == wanted);
    }
}
