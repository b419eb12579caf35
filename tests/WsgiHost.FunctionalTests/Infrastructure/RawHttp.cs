using System.Net.Sockets;
using System.Text;

namespace WsgiHost.FunctionalTests.Infrastructure;

/// <summary>Speaks HTTP/1.1 byte by byte, for requests HttpClient will not send (malformed ones) and for reading framing exactly.</summary>
public static class RawHttp
{
    /// <summary>Sends the bytes and reads until the server closes or the timeout passes.</summary>
    public static async Task<string> SendAsync(int port, string request, int timeoutMs = 10_000)
        => Encoding.Latin1.GetString(await SendBytesAsync(port, Encoding.Latin1.GetBytes(request), timeoutMs));

    public static async Task<byte[]> SendBytesAsync(int port, byte[] request, int timeoutMs = 10_000)
    {
        using var client = new TcpClient();
        await client.ConnectAsync("127.0.0.1", port);
        using NetworkStream stream = client.GetStream();
        await stream.WriteAsync(request);
        return await ReadToEndAsync(stream, timeoutMs);
    }

    /// <summary>Reads until the server closes, the connection resets or the timeout passes; returns what arrived.</summary>
    public static async Task<byte[]> ReadToEndAsync(NetworkStream stream, int timeoutMs = 10_000)
    {
        using var cts = new CancellationTokenSource(timeoutMs);
        var result = new MemoryStream();
        var buffer = new byte[65536];
        try
        {
            while (true)
            {
                int n = await stream.ReadAsync(buffer, cts.Token);
                if (n == 0)
                {
                    break;
                }
                result.Write(buffer, 0, n);
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (IOException)
        {
            // connection reset: return what arrived
        }
        return result.ToArray();
    }

    public static int StatusOf(string response)
    {
        // "HTTP/1.1 200 OK"
        return response.Length >= 12 ? int.Parse(response.AsSpan(9, 3), System.Globalization.CultureInfo.InvariantCulture) : 0;
    }
}
