using System.Buffers;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;

namespace WsgiHost.Server;

/// <summary>
/// Refuses requests whose framing or header fields Kestrel accepts but Apache (with its default
/// <c>HttpProtocolOptions Strict</c>) refuses, because a proxy in front may read them
/// differently: the classic request smuggling shapes. Runs before routing, so no app, static
/// file or access rule sees such a request, and the connection closes after the answer (what
/// follows on it cannot be trusted). Kestrel itself already refuses obs-fold, unknown transfer
/// codings, duplicate or non-numeric Content-Length and malformed chunk sizes (400). Also the
/// requests Apache's core refuses before any handler: CONNECT (400) and an expectation other
/// than 100-continue (417).
/// </summary>
internal static class RequestFraming
{
    /// <summary>What Apache's Strict mode refuses in a field value: control characters other than tab, and DEL. One vectorised scan per value (this runs for every request).</summary>
    private static readonly SearchValues<char> ControlCharacters = SearchValues.Create(
        string.Concat(Enumerable.Range(0, 0x20).Where(c => c != '\t').Select(c => (char)c)) + "\u007f");

    /// <summary>RFC 9110's token characters: all a field name may have.</summary>
    private static readonly SearchValues<char> TokenCharacters = SearchValues.Create(
        "!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz");

    /// <param name="maxFieldSize">LimitRequestFieldSize: the longest "Name: value" line; 0 is unlimited.</param>
    /// <returns>The status to answer with (400, 417, 431) and why, or 0 when the request may go on.</returns>
    public static (int Status, string? Reason) Check(HttpRequest request, int maxFieldSize)
    {
        if (HttpMethods.IsConnect(request.Method))
        {
            // A proxy's method: no WSGI app or file answers it, and Kestrel would send a 2xx
            // answer to it without a body framing (what followed on the connection was garbage).
            return (400, "CONNECT refused: this server is no proxy");
        }
        IHeaderDictionary headers = request.Headers;
        if (headers.Expect.Count > 0 && !string.Equals(headers.Expect.ToString(), "100-continue", StringComparison.OrdinalIgnoreCase))
        {
            // Kestrel knows 100-continue only; any other expectation cannot be met (RFC 9110 10.1.1), as Apache answers.
            return (417, $"client sent an unrecognized expectation value of Expect: {headers.Expect}");
        }
        if (headers.TransferEncoding.Count > 0)
        {
            // HTTP/2 and 3 frame bodies themselves: such a request is malformed (RFC 9113
            // 8.2.2), and an app that passed it on to an HTTP/1.1 backend would be smuggling.
            if (HttpProtocol.IsHttp2(request.Protocol) || HttpProtocol.IsHttp3(request.Protocol))
            {
                return (400, $"{request.Protocol} request with Transfer-Encoding (malformed)");
            }
            // Kestrel takes Transfer-Encoding over Content-Length (RFC 9112 6.3), closes the
            // connection after the response and moves the length to X-Content-Length (so that
            // header is how we see both were sent). A front that framed the body by the length
            // instead is out of step with us: refuse the request rather than guess.
            if (headers.ContainsKey("Content-Length") || headers.ContainsKey("X-Content-Length"))
            {
                return (400, "request has both Transfer-Encoding and Content-Length (a request smuggling attempt?)");
            }
            // Kestrel accepts any list that ends in chunked ("gzip, chunked", "chunked, chunked",
            // two Transfer-Encoding lines); Apache only chunked once, and a front that parses the
            // list differently frames the body differently.
            if (headers.TransferEncoding.Count != 1 || !string.Equals(headers.TransferEncoding[0]?.Trim(), "chunked", StringComparison.OrdinalIgnoreCase))
            {
                return (400, $"unsupported Transfer-Encoding '{headers.TransferEncoding}' (only a single 'chunked' is accepted)");
            }
        }
        foreach (KeyValuePair<string, StringValues> header in headers)
        {
            // Kestrel's HTTP/1.1 parser lets control characters through in a name, its HTTP/2 one spaces.
            if (header.Key.AsSpan().IndexOfAnyExcept(TokenCharacters) >= 0)
            {
                return (400, $"request header field name '{header.Key}' has a character a name may not have");
            }
            foreach (string? value in header.Value)
            {
                if (value == null)
                {
                    continue;
                }
                // Control characters other than tab in a field value: Apache's Strict mode refuses them.
                if (value.AsSpan().IndexOfAny(ControlCharacters) >= 0)
                {
                    return (400, $"request header field '{header.Key}' contains a control character");
                }
                // Kestrel bounds only the total of the header section; Apache each field (LimitRequestFieldSize).
                if (maxFieldSize > 0 && header.Key.Length + 2 + value.Length > maxFieldSize)
                {
                    return (431, $"request header field '{header.Key}' is {header.Key.Length + 2 + value.Length} bytes, over LimitRequestFieldSize {maxFieldSize}");
                }
            }
            // Repeated fields reach the app as one (HTTP_COOKIE "a=1, b=2"), and Apache bounds
            // that merged field too: six 7,000-byte Cookie lines were a 42 KB HTTP_COOKIE (QA).
            if (maxFieldSize > 0 && header.Value.Count > 1 && MergedLength(header) > maxFieldSize)
            {
                return (431, $"request header field '{header.Key}' is {MergedLength(header)} bytes once its {header.Value.Count} lines are merged, over LimitRequestFieldSize {maxFieldSize}");
            }
        }
        return (0, null);
    }

    /// <summary>"Name: v1, v2, ...": the field as the app gets it.</summary>
    private static int MergedLength(KeyValuePair<string, StringValues> header)
    {
        int length = header.Key.Length + 2 + (2 * (header.Value.Count - 1));
        foreach (string? value in header.Value)
        {
            length += value?.Length ?? 0;
        }
        return length;
    }
}
