using System.Net.Sockets;
using Microsoft.AspNetCore.Connections;
using WsgiHost.Configuration.Model;

namespace WsgiHost.Cli.Commands;

/// <summary>
/// Why the server could not start, in one line with what to do: the usual mistakes (a port
/// taken, a port below 1024 without root, an address this machine does not have) name the
/// listener and the fix instead of the socket error's bare words.
/// </summary>
internal static class StartFailure
{
    public static string Describe(Exception e, SiteConfig site)
    {
        SocketException? socket = e as SocketException ?? e.InnerException as SocketException;
        // The listener the failure names (Kestrel's message has its URL), else all of them: not a
        // site's other ports, which may be its own, held by a reload's old server processes (QA).
        var named = site.Listeners.Where(l => System.Text.RegularExpressions.Regex.IsMatch(e.Message, $":{l.Port}(?![0-9])")).ToList();
        string listen = string.Join(", ", (named.Count > 0 ? named : site.Listeners).Select(l => $"{l.Address?.ToString() ?? "*"}:{l.Port}"));
        if (e is AddressInUseException || e.InnerException is AddressInUseException || socket?.SocketErrorCode == SocketError.AddressAlreadyInUse)
        {
            return $"{e.Message} Another server listens on {listen}: stop it (ss -ltnp shows which), or listen on another port.";
        }
        return socket?.SocketErrorCode switch
        {
            SocketError.AccessDenied => $"cannot listen on {listen}: {socket.Message}. Ports below 1024 need root (start as root with --user, or User in the config, to run as another user once bound), or use a port of 1024 or more.",
            SocketError.AddressNotAvailable => $"cannot listen on {listen}: {socket.Message}. This machine has no such address: listen on 127.0.0.1, 0.0.0.0 (every address), or one `ip -br addr` shows.",
            _ => e.Message,
        };
    }
}
