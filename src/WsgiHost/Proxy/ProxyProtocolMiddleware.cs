using System.Buffers;
using System.IO.Pipelines;
using Microsoft.AspNetCore.Connections;

namespace WsgiHost.Proxy;

/// <summary>
/// RemoteIPProxyProtocol On (mod_remoteip): every connection on the listener must start with a
/// PROXY header, whose client address then stands for the connection's (REMOTE_ADDR, access
/// rules, logs). A connection without a valid header is closed, as Apache does: accepting it
/// would let a client that reaches the port directly choose its own address.
/// </summary>
internal static class ProxyProtocolMiddleware
{
    public static ConnectionDelegate Create(ConnectionDelegate next, Python.Runtime.IErrorLog log) => async connection =>
    {
        PipeReader input = connection.Transport.Input;
        while (true)
        {
            ReadResult read = await input.ReadAsync(connection.ConnectionClosed).ConfigureAwait(false);
            ReadOnlySequence<byte> buffer = read.Buffer;
            var outcome = ProxyProtocolHeader.TryParse(buffer, out int consumed, out System.Net.IPEndPoint? source);
            if (outcome == ProxyProtocolHeader.Outcome.Parsed)
            {
                input.AdvanceTo(buffer.GetPosition(consumed));
                if (source != null)
                {
                    connection.RemoteEndPoint = source;
                }
                break;
            }
            if (outcome == ProxyProtocolHeader.Outcome.Invalid || read.IsCompleted || buffer.Length >= ProxyProtocolHeader.MaxLength)
            {
                input.AdvanceTo(buffer.End);
                log.Write(Python.Runtime.ErrorLogLevel.Error, "remoteip",
                    $"AH03507: RemoteIPProxyProtocol: connection from {connection.RemoteEndPoint} did not start with a valid PROXY header; closed");
                return;
            }
            input.AdvanceTo(buffer.Start, buffer.End);
        }
        await next(connection).ConfigureAwait(false);
    };
}
