using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;

namespace WsgiHost.Server;

/// <summary>
/// Listening sockets bound to the same address once per server process place (SO_REUSEPORT),
/// by the supervisor that holds them (<see cref="ListenSocketBroker"/>): the kernel spreads new
/// connections across them, so each process, with its own Python and GIL, takes its share
/// without a front process passing connections on.
/// </summary>
internal static class ReusePortSocket
{
    private const int SolSocket = 1;
    private const int SoReusePort = 15;

    public static Socket Create(EndPoint endpoint)
    {
        if (endpoint is not IPEndPoint ip)
        {
            return SocketTransportOptions.CreateDefaultBoundListenSocket(endpoint);
        }
        var socket = new Socket(ip.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            if (ip.Address.Equals(IPAddress.IPv6Any))
            {
                socket.DualMode = true;
            }
            socket.SetRawSocketOption(SolSocket, SoReusePort, BitConverter.GetBytes(1));
            socket.Bind(ip);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}
