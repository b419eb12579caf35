using System.Net;
using WsgiHost.Access;

namespace WsgiHost.Proxy;

/// <summary>
/// WSGITrustedProxyHeaders and WSGITrustedProxies applied as mod_wsgi does (catalog §9.3):
/// for each listed category the first listed header present is applied and all its synonyms
/// are removed from the environ; a peer outside WSGITrustedProxies (when that is set) gets
/// nothing applied and every synonym of every listed category removed, so a client cannot
/// spoof them. Headers of categories not listed pass through untouched. Immutable.
/// </summary>
internal sealed class ProxyHeaderRules
{
    private readonly (ProxyHeaderCategory Category, string[] Listed)[] _categories;
    private readonly IReadOnlyList<IpNetwork>? _trusted;
    private readonly HashSet<string> _allSynonyms;

    /// <param name="headers">The header names of WSGITrustedProxyHeaders, in order (validated names).</param>
    /// <param name="trusted">WSGITrustedProxies; null trusts every peer.</param>
    public ProxyHeaderRules(IReadOnlyList<string> headers, IReadOnlyList<IpNetwork>? trusted)
    {
        _categories = [.. headers.GroupBy(h => ProxyHeaderNames.Categories[h]).Select(g => (g.Key, g.ToArray()))];
        _trusted = trusted;
        _allSynonyms = new HashSet<string>(_categories.SelectMany(c => ProxyHeaderNames.Synonyms(c.Category)), StringComparer.OrdinalIgnoreCase);
    }

    public ProxyHeaderDecision Decide(IPAddress peer, Func<string, string?> header)
    {
        if (_trusted != null && !IsTrusted(peer))
        {
            return new ProxyHeaderDecision { Removed = _allSynonyms };
        }
        var decision = new ProxyHeaderDecision();
        foreach (var (category, listed) in _categories)
        {
            string? used = null;
            string? value = null;
            foreach (string name in listed)
            {
                value = header(name);
                if (!string.IsNullOrEmpty(value))
                {
                    used = name;
                    break;
                }
            }
            if (used != null)
            {
                decision = Apply(decision, category, used, value!);
            }
        }
        var removed = new HashSet<string>(_allSynonyms, StringComparer.OrdinalIgnoreCase);
        // The header that was applied stays visible (as mod_wsgi keeps it); its synonyms go.
        foreach (var (_, listed) in _categories)
        {
            foreach (string name in listed)
            {
                if (!string.IsNullOrEmpty(header(name)))
                {
                    removed.Remove(name);
                    break;
                }
            }
        }
        return decision with { Removed = removed };
    }

    private ProxyHeaderDecision Apply(ProxyHeaderDecision decision, ProxyHeaderCategory category, string name, string value) => category switch
    {
        ProxyHeaderCategory.Client => ClientAddress(decision, name, value),
        ProxyHeaderCategory.Host => decision with { HttpHost = value.Trim() },
        ProxyHeaderCategory.Server => decision with { ServerName = value.Trim() },
        ProxyHeaderCategory.Port => decision with { ServerPort = value.Trim() },
        ProxyHeaderCategory.ScriptName => decision with { ScriptName = value.Trim().TrimEnd('/') },
        _ => decision with { Https = IsHttps(name, value.Trim()) },
    };

    private static bool? IsHttps(string name, string value)
    {
        if (name.Equals("X-Forwarded-HTTPS", StringComparison.OrdinalIgnoreCase) || name.Equals("X-Forwarded-SSL", StringComparison.OrdinalIgnoreCase)
            || name.Equals("X-HTTPS", StringComparison.OrdinalIgnoreCase))
        {
            return value.ToLowerInvariant() switch { "on" or "true" or "1" => true, "off" or "false" or "0" => false, _ => null };
        }
        return value.ToLowerInvariant() switch { "https" => true, "http" => false, _ => null };
    }

    /// <summary>
    /// X-Forwarded-For: with a proxy list, the entry just left of the trusted proxies at the
    /// right end (the rightmost entry alone when it is not a trusted proxy); without one, the
    /// first entry. X-Client-IP and X-Real-IP are taken as they are.
    /// </summary>
    private ProxyHeaderDecision ClientAddress(ProxyHeaderDecision decision, string name, string value)
    {
        if (!name.Equals("X-Forwarded-For", StringComparison.OrdinalIgnoreCase))
        {
            return decision with { RemoteAddr = value.Trim() };
        }
        string[] entries = [.. value.Split(',').Select(e => e.Trim()).Where(e => e.Length > 0)];
        if (entries.Length == 0)
        {
            return decision;
        }
        if (_trusted == null)
        {
            return decision with { RemoteAddr = entries[0] };
        }
        int i = entries.Length - 1;
        while (i > 0 && IPAddress.TryParse(entries[i], out IPAddress? hop) && IsTrusted(hop))
        {
            i--;
        }
        return decision with { RemoteAddr = entries[i], ForwardedFor = string.Join(", ", entries[i..]) };
    }

    private bool IsTrusted(IPAddress address) => _trusted!.Any(n => n.Contains(address));
}
