using Microsoft.AspNetCore.Http;

namespace WsgiHost.Server;

/// <summary>
/// The request's protocol as Apache names it: Kestrel says HTTP/2 and HTTP/3, Apache's mod_http2
/// sets HTTP/2.0, which is what SERVER_PROTOCOL, %H, %r and THE_REQUEST show there and what log
/// parsers and apps that compare the string expect (QA, side by side over h2c).
/// </summary>
internal static class RequestProtocol
{
    public static string Of(HttpRequest request) => request.Protocol switch
    {
        "HTTP/2" => "HTTP/2.0",
        "HTTP/3" => "HTTP/3.0",
        var protocol => protocol,
    };
}
