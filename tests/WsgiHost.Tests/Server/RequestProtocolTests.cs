using Microsoft.AspNetCore.Http;
using WsgiHost.Server;

namespace WsgiHost.Tests.Server;

/// <summary>SERVER_PROTOCOL, %H and %r name the protocol as Apache's mod_http2 does.</summary>
public sealed class RequestProtocolTests
{
    [Theory]
    [InlineData("HTTP/1.1", "HTTP/1.1")]
    [InlineData("HTTP/1.0", "HTTP/1.0")]
    [InlineData("HTTP/2", "HTTP/2.0")]
    [InlineData("HTTP/3", "HTTP/3.0")]
    public void TheProtocolIsApachesSpelling(string kestrel, string apache)
    {
        var context = new DefaultHttpContext();
        context.Request.Protocol = kestrel;
        Assert.Equal(apache, RequestProtocol.Of(context.Request));
    }
}
