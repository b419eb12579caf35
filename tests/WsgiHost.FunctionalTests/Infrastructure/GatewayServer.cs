namespace WsgiHost.FunctionalTests.Infrastructure;

/// <summary>One server for tests/apps/gateway.wsgi shared by the gateway test classes.</summary>
public sealed class GatewayServer : IAsyncLifetime
{
    private WsgiHostProcess? _host;

    public WsgiHostProcess Host => _host ?? throw new InvalidOperationException("not started");

    public async Task InitializeAsync() =>
        _host = await WsgiHostProcess.StartAsync(WsgiHostProcess.App("gateway.wsgi"), "--threads", "8", "--access-log", "--chunked-request");

    public async Task DisposeAsync()
    {
        if (_host != null)
        {
            await _host.DisposeAsync();
        }
    }
}

[CollectionDefinition(Name)]
public sealed class GatewayCollection : ICollectionFixture<GatewayServer>
{
    public const string Name = "gateway server";
}
