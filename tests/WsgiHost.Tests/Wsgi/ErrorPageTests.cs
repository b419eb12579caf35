using System.Text;
using WsgiHost.Python.Wsgi;

namespace WsgiHost.Tests.Wsgi;

public sealed class ErrorPageTests
{
    /// <summary>Each status the server answers with itself has Apache's reason phrase (QA: a body read timeout went out as "408 Error" in embedded mode).</summary>
    [Theory]
    [InlineData(408, "Request Timeout")]
    [InlineData(413, "Content Too Large")]
    [InlineData(414, "URI Too Long")]
    [InlineData(504, "Gateway Timeout")]
    [InlineData(505, "HTTP Version Not Supported")]
    public void TheServersOwnStatusesHaveApachesReasonPhrase(int status, string reason)
    {
        Assert.Equal(reason, ErrorPage.Reason(status));
        Assert.Contains($"<title>{status} {reason}</title>", Encoding.ASCII.GetString(ErrorPage.Body(status)), StringComparison.Ordinal);
    }

    [Fact]
    public void A408SaysWhatTheServerWaitedFor() =>
        Assert.Contains("<p>Server timeout waiting for the HTTP request from the client.</p>", Encoding.ASCII.GetString(ErrorPage.Body(408)), StringComparison.Ordinal);

    /// <summary>The pages a browser shows say what Apache's say (QA: a 403 said "Forbidden.").</summary>
    [Theory]
    [InlineData(403, "<p>You don't have permission to access this resource.</p>")]
    [InlineData(400, "<p>Your browser sent a request that this server could not understand.<br />\n</p>")]
    [InlineData(504, "<p>The gateway did not receive a timely response\nfrom the upstream server or application.</p>")]
    [InlineData(502, "<p>The proxy server received an invalid\r\nresponse from an upstream server.<br />\r\n</p>")]
    public void TheServersOwnPagesSayWhatApachesSay(int status, string paragraph) =>
        Assert.Contains(paragraph, Encoding.ASCII.GetString(ErrorPage.Body(status)), StringComparison.Ordinal);
}
