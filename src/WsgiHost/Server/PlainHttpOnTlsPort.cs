using System.Buffers;
using System.IO.Pipelines;
using System.Text;
using Microsoft.AspNetCore.Connections;

namespace WsgiHost.Server;

/// <summary>
/// A client speaking plain HTTP to a TLS port gets Apache's 400 saying so (mod_ssl: "You're
/// speaking plain HTTP to an SSL-enabled server port"), instead of a dropped connection that
/// looks like a network fault. A TLS ClientHello starts with byte 0x16; an HTTP request line
/// starts with an uppercase method letter.
/// </summary>
internal static class PlainHttpOnTlsPort
{
    private const string Body =
        WsgiHost.Python.Wsgi.ErrorPage.DocType + "<html><head>\n<title>400 Bad Request</title>\n</head><body>\n<h1>Bad Request</h1>\n" +
        "<p>You're speaking plain HTTP to an SSL-enabled server port.<br />\n Instead use the HTTPS scheme to access this URL, please.</p>\n</body></html>\n";

    private static readonly byte[] s_response = Encoding.ASCII.GetBytes(
        $"HTTP/1.1 400 Bad Request\r\nContent-Type: text/html; charset=iso-8859-1\r\nConnection: close\r\nContent-Length: {Body.Length}\r\n\r\n{Body}");

    public static ConnectionDelegate Middleware(ConnectionDelegate next) => async connection =>
    {
        PipeReader input = connection.Transport.Input;
        ReadResult read;
        try
        {
            read = await input.ReadAsync(connection.ConnectionClosed).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (connection.ConnectionClosed.IsCancellationRequested)
        {
            // Closed before sending a byte: a load balancer's TCP health check, a port probe.
            // Nothing to answer and nothing to log (QA: an error with a stack trace each time).
            return;
        }
        ReadOnlySequence<byte> buffer = read.Buffer;
        if (buffer.IsEmpty)
        {
            input.AdvanceTo(buffer.Start, buffer.End);
            return;
        }
        byte first = buffer.FirstSpan[0];
        // Leave the bytes unread for the TLS layer (examined nothing, so it sees them at once).
        input.AdvanceTo(buffer.Start);
        if (first is >= (byte)'A' and <= (byte)'Z')
        {
            try
            {
                await connection.Transport.Output.WriteAsync(s_response, connection.ConnectionClosed).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (connection.ConnectionClosed.IsCancellationRequested)
            {
            }
            return;
        }
        await next(connection).ConfigureAwait(false);
    };
}
