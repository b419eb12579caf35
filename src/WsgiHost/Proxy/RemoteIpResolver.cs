using System.Net;
using Microsoft.AspNetCore.Http;
using WsgiHost.Access;
using WsgiHost.Configuration.Model;

namespace WsgiHost.Proxy;

/// <summary>
/// mod_remoteip on one request: while the address the request came from is a proxy believed,
/// the last address of the header becomes the client, right to left, as mod_remoteip walks it.
/// An internal proxy may present any address; a trusted (outside) proxy may not present a
/// private one (10/8, 172.16/12, 192.168/16, 169.254/16, 127/8, fc00::/7, fe80::/10, ::1), which
/// stops the walk there. What was not taken stays in the header; the header goes when all was.
/// The client address then serves everything after: REMOTE_ADDR, Require ip, %a in the log.
/// </summary>
internal static class RemoteIpResolver
{
    private static readonly IpNetwork[] s_private = [.. new[]
    {
        "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "169.254.0.0/16", "127.0.0.0/8", "fc00::/7", "fe80::/10", "::1",
    }.Select(Parse)];

    /// <summary>The client the header names, or null when the request's peer stands (no header, an untrusted peer, nothing valid).</summary>
    public static IPAddress? Apply(RemoteIpConfig config, IPAddress peer, IHeaderDictionary headers)
    {
        if (config.Header is not string name || !headers.TryGetValue(name, out var values) || values.Count == 0)
        {
            return null;
        }
        var entries = new List<string>();
        foreach (string? line in values)
        {
            entries.AddRange((line ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries));
        }
        IPAddress client = IpNetwork.Normalize(peer);
        List<string>? proxies = null;
        bool changed = false;
        bool anyPeer = config.Internal.Count == 0 && config.Trusted.Count == 0;
        // Once past an outside proxy, an address on the internal list counts as an outside one:
        // an outside proxy must not be able to present an internal proxy.
        bool inside = true;
        while (entries.Count > 0)
        {
            bool listedInternal = config.Internal.Any(n => n.Contains(client));
            if (!anyPeer && !listedInternal && !config.Trusted.Any(n => n.Contains(client)))
            {
                break;
            }
            inside &= anyPeer || listedInternal;
            bool isTrusted = !inside;
            if (!IPAddress.TryParse(entries[^1], out IPAddress? presented))
            {
                break;
            }
            presented = IpNetwork.Normalize(presented);
            if (isTrusted && s_private.Any(n => n.Contains(presented)))
            {
                break;
            }
            if (isTrusted && config.ProxiesHeader != null)
            {
                (proxies ??= []).Add(client.ToString());
            }
            entries.RemoveAt(entries.Count - 1);
            client = presented;
            changed = true;
        }
        if (!changed)
        {
            return null;
        }
        if (entries.Count > 0)
        {
            headers[name] = string.Join(", ", entries);
        }
        else
        {
            headers.Remove(name);
        }
        if (proxies != null)
        {
            headers[config.ProxiesHeader!] = string.Join(", ", proxies);
        }
        return client;
    }

    private static IpNetwork Parse(string text) =>
        IpNetwork.TryParse(text, out IpNetwork? network, out _) == IpNetwork.ParseOutcome.Parsed ? network! : throw new InvalidOperationException(text);
}
