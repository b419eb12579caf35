using System.Collections.Frozen;

namespace WsgiHost.Proxy;

/// <summary>The header names mod_wsgi accepts in WSGITrustedProxyHeaders, by category.</summary>
internal static class ProxyHeaderNames
{
    public static readonly FrozenDictionary<string, ProxyHeaderCategory> Categories = new Dictionary<string, ProxyHeaderCategory>(StringComparer.OrdinalIgnoreCase)
    {
        ["X-Forwarded-For"] = ProxyHeaderCategory.Client,
        ["X-Client-IP"] = ProxyHeaderCategory.Client,
        ["X-Real-IP"] = ProxyHeaderCategory.Client,
        ["X-Forwarded-Host"] = ProxyHeaderCategory.Host,
        ["X-Host"] = ProxyHeaderCategory.Host,
        ["X-Forwarded-Server"] = ProxyHeaderCategory.Server,
        ["X-Forwarded-Port"] = ProxyHeaderCategory.Port,
        ["X-Script-Name"] = ProxyHeaderCategory.ScriptName,
        ["X-Forwarded-Script-Name"] = ProxyHeaderCategory.ScriptName,
        ["X-Forwarded-Proto"] = ProxyHeaderCategory.Scheme,
        ["X-Forwarded-Scheme"] = ProxyHeaderCategory.Scheme,
        ["X-Scheme"] = ProxyHeaderCategory.Scheme,
        ["X-Forwarded-HTTPS"] = ProxyHeaderCategory.Scheme,
        ["X-Forwarded-SSL"] = ProxyHeaderCategory.Scheme,
        ["X-HTTPS"] = ProxyHeaderCategory.Scheme,
    }.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase);

    /// <summary>Every accepted name of a category (its synonyms), in mod_wsgi's order.</summary>
    public static IEnumerable<string> Synonyms(ProxyHeaderCategory category) =>
        Categories.Where(c => c.Value == category).Select(c => c.Key);
}
