namespace WsgiHost.Tests.Configuration.Directives;

/// <summary>Protocols (mod_http2's h2 and http/1.1) per scope, and what it refuses or warns about.</summary>
public sealed class ProtocolsDirectiveTests
{
    [Fact]
    public void AVirtualHostHasItsOwnOrTheMainServersAndNoneMeansBoth()
    {
        var config = SiteText.Clean("""
            Listen 80
            Protocols http/1.1
            <VirtualHost *:80>
                ServerName a.test
            </VirtualHost>
            <VirtualHost *:80>
                ServerName b.test
                Protocols h2 http/1.1
            </VirtualHost>
            """);

        Assert.False(config.MainServer.SpeaksHttp2);
        Assert.False(config.VirtualHosts[0].SpeaksHttp2);
        Assert.True(config.VirtualHosts[1].SpeaksHttp2);
        Assert.True(SiteText.Clean("Listen 80").MainServer.SpeaksHttp2);
    }

    [Fact]
    public void AnUnknownProtocolIsAnErrorAndH2cAWarning()
    {
        var error = SiteText.Error("Listen 80\nProtocols h3 http/1.1");
        error.At(2, "Protocols");
        Assert.Equal("'h3' is not a protocol", error.Message);

        SiteText.Warning("Listen 80\nProtocols h2c http/1.1").At(2, "Protocols");
    }
}
