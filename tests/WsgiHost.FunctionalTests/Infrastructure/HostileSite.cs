using System.Globalization;

namespace WsgiHost.FunctionalTests.Infrastructure;

/// <summary>
/// `wsgihost run tests/apps/configs/hostile.conf` over a folder of its own: public/hello.txt and
/// private/inside.txt behind Alias, and secret.txt next to them that no URL may reach.
/// Shared by the hostile-client test classes.
/// </summary>
public sealed class HostileSite : IAsyncLifetime
{
    public const string Secret = "TOP-SECRET-7f3a";
    public const string Private = "PRIVATE-CONTENT-91c2";
    public const string Public = "hello, public";

    private WsgiHostProcess? _host;

    public WsgiHostProcess Host => _host ?? throw new InvalidOperationException("not started");

    public string Folder { get; } = Directory.CreateTempSubdirectory("wsgihost-hostile-").FullName;

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(Path.Combine(Folder, "public"));
        Directory.CreateDirectory(Path.Combine(Folder, "private"));
        await File.WriteAllTextAsync(Path.Combine(Folder, "public", "hello.txt"), Public);
        await File.WriteAllTextAsync(Path.Combine(Folder, "private", "inside.txt"), Private);
        await File.WriteAllTextAsync(Path.Combine(Folder, "secret.txt"), Secret);
        await File.WriteAllTextAsync(Path.Combine(Folder, "public..secret.txt"), Secret);
        int port = WsgiHostProcess.FreePort();
        _host = await WsgiHostProcess.RunAsync(Path.Combine(WsgiHostProcess.TestAppsDirectory, "configs", "hostile.conf"), port,
            new Dictionary<string, string> { ["PORT"] = port.ToString(CultureInfo.InvariantCulture), ["SITE"] = Folder });
    }

    /// <summary>The request targets the app was called with that contain <paramref name="token"/> (gateway.wsgi's /seen).</summary>
    public async Task<string> SeenAsync(string token)
    {
        using var response = await Host.Client.GetAsync("/app/seen?" + token);
        return await response.Content.ReadAsStringAsync();
    }

    public async Task DisposeAsync()
    {
        if (_host != null)
        {
            await _host.DisposeAsync();
        }
        Directory.Delete(Folder, recursive: true);
    }
}

[CollectionDefinition(Name)]
public sealed class HostileSiteCollection : ICollectionFixture<HostileSite>
{
    public const string Name = "hostile site";
}
