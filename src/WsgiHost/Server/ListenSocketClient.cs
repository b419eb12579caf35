using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.Win32.SafeHandles;
using WsgiHost.Daemon;
using WsgiHost.Python.Interop;

namespace WsgiHost.Server;

/// <summary>
/// A server process's listening sockets when it runs under a supervisor: asked of the
/// supervisor (<see cref="ListenSocketBroker"/>), which binds each once for the process's place
/// and keeps it while the processes that take that place come and go. A process replaced on
/// SIGHUP, or after a crash, so leaves the connections waiting in the queue to its successor,
/// where a socket of its own would have reset them as it closed.
/// </summary>
internal sealed class ListenSocketClient : IDisposable
{
    private readonly Socket _channel;
    private readonly Lock _lock = new();

    private ListenSocketClient(Socket channel) => _channel = channel;

    /// <summary>The channel the supervisor left this process, or null when it has none (it binds its own sockets).</summary>
    /// <exception cref="InvalidOperationException">The variable does not name a descriptor.</exception>
    public static ListenSocketClient? FromEnvironment()
    {
        string? value = Environment.GetEnvironmentVariable(ListenSocketChannel.Variable);
        if (value == null)
        {
            return null;
        }
        // Not for the app, nor for anything it starts.
        ProcessEnvironment.Unset(ListenSocketChannel.Variable);
        if (!int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out int fd) || fd < 3)
        {
            throw new InvalidOperationException($"{ListenSocketChannel.Variable} is set by the server for its server processes; got '{value}'");
        }
        return Over(new SafeSocketHandle(fd, ownsHandle: true));
    }

    /// <summary>A client over the channel <paramref name="channel"/>, which it owns from now on.</summary>
    internal static ListenSocketClient Over(SafeSocketHandle channel)
    {
        CloseOnExec.Set(channel, closeOnExec: true);
        return new ListenSocketClient(new Socket(channel));
    }

    /// <summary>Kestrel's CreateBoundListenSocket: the supervisor's socket for <paramref name="endpoint"/>, bound (Kestrel makes it listen).</summary>
    /// <exception cref="SocketException">The supervisor could not bind it (as binding here would have failed).</exception>
    public Socket Create(EndPoint endpoint)
    {
        if (endpoint is not IPEndPoint ip)
        {
            return SocketTransportOptions.CreateDefaultBoundListenSocket(endpoint);
        }
        lock (_lock)
        {
            _channel.Send(Encoding.ASCII.GetBytes(ListenSocketChannel.Request(ip)));
            var answer = new List<byte>();
            SafeFileHandle? socket = null;
            Span<byte> buffer = stackalloc byte[256];
            try
            {
                while (answer.IndexOf((byte)'\n') < 0)
                {
                    int received = SocketReceive.Receive(_channel.SafeHandle, buffer, out SafeFileHandle[]? passed);
                    foreach (SafeFileHandle handle in passed ?? [])
                    {
                        if (socket == null)
                        {
                            socket = handle;
                        }
                        else
                        {
                            handle.Dispose();
                        }
                    }
                    if (received == 0)
                    {
                        throw new IOException("the supervisor closed the channel it hands listening sockets over");
                    }
                    answer.AddRange(buffer[..received]);
                }
                string line = Encoding.UTF8.GetString([.. answer]).TrimEnd('\n');
                if (ListenSocketChannel.ParseAnswer(line) is SocketException refused)
                {
                    throw refused;
                }
                if (socket == null)
                {
                    throw new IOException("the supervisor granted a listening socket but passed none");
                }
                var listening = new SafeSocketHandle(socket.DangerousGetHandle(), ownsHandle: true);
                socket.SetHandleAsInvalid();
                socket = null;
                return new Socket(listening);
            }
            finally
            {
                socket?.Dispose();
            }
        }
    }

    /// <summary>Tells the supervisor the main ErrorLog file, for its own lines (<see cref="ListenSocketChannel.ErrorLog"/>).</summary>
    public void NameErrorLog(string path)
    {
        lock (_lock)
        {
            _channel.Send(Encoding.UTF8.GetBytes(ListenSocketChannel.ErrorLog(path)));
        }
    }

    public void Dispose() => _channel.Dispose();
}
