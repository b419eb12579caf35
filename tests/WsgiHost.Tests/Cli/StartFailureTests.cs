using Microsoft.AspNetCore.Connections;
using WsgiHost.Cli.Commands;
using WsgiHost.Configuration.Model;
using WsgiHost.Tests.Configuration.Directives;

namespace WsgiHost.Tests.Cli;

/// <summary>A port taken names the listener that failed, not the site's other ports (which a reload's old server processes hold).</summary>
public sealed class StartFailureTests
{
    private static SiteConfig SiteListeningOn(params int[] ports) =>
        SiteText.Clean(string.Concat(ports.Select(p => $"Listen 127.0.0.1:{p}\n")));

    [Fact]
    public void APortInUseNamesTheListenerThatFailed()
    {
        var failure = new IOException("Failed to bind to address http://127.0.0.1:8080: address already in use.", new AddressInUseException("Address already in use"));
        string said = StartFailure.Describe(failure, SiteListeningOn(80, 8080, 8443));
        Assert.Contains("Another server listens on 127.0.0.1:8080: stop it", said, StringComparison.Ordinal);
        Assert.DoesNotContain("127.0.0.1:80,", said, StringComparison.Ordinal);
        Assert.DoesNotContain("8443", said, StringComparison.Ordinal);
    }

    [Fact]
    public void AFailureThatNamesNoListenerListsThemAll()
    {
        var failure = new AddressInUseException("Address already in use");
        Assert.Contains("Another server listens on 127.0.0.1:80, 127.0.0.1:8080: stop it", StartFailure.Describe(failure, SiteListeningOn(80, 8080)), StringComparison.Ordinal);
    }
}
