using WsgiHost.Configuration.Model;

namespace WsgiHost.Tests.Configuration.Directives;

/// <summary>ErrorDocument's four forms, their scopes, and what it refuses.</summary>
public sealed class ErrorDocumentDirectiveTests
{
    [Fact]
    public void MessagesUrlsLocalPathsAndDefaultMergeByStatus()
    {
        var config = SiteText.Clean("""
            Listen 80
            ErrorDocument 404 /errors/404.html
            ErrorDocument 500 "Sorry, something broke"
            ErrorDocument 503 https://status.example.com/
            <Location /api>
                ErrorDocument 404 default
            </Location>
            """);
        var server = config.MainServer.Defaults;
        var api = server.Merge(config.MainServer.Sections[0].Payload.Settings);

        Assert.Equal((ErrorDocumentKind.LocalUrl, "/errors/404.html", 2), Of(server.ErrorDocuments[404]));
        Assert.Equal((ErrorDocumentKind.Text, "Sorry, something broke", 3), Of(server.ErrorDocuments[500]));
        Assert.Equal((ErrorDocumentKind.Redirect, "https://status.example.com/", 4), Of(server.ErrorDocuments[503]));
        Assert.Equal(ErrorDocumentKind.Default, api.ErrorDocuments[404].Kind);
        Assert.Equal(ErrorDocumentKind.Text, api.ErrorDocuments[500].Kind);
    }

    private static (ErrorDocumentKind, string, int) Of(ErrorDocumentConfig document) => (document.Kind, document.Value, document.Location.Line);

    [Theory]
    [InlineData("ErrorDocument 200 /ok.html", "'200' is not an error status")]
    [InlineData("ErrorDocument 401 https://login.example.com/", "a 401 cannot be a redirect: the client would never see the authentication request")]
    public void WhatItRefuses(string line, string message)
    {
        var error = SiteText.Error("Listen 80\n" + line);

        error.At(2, "ErrorDocument");
        Assert.Equal(message, error.Message);
    }
}
