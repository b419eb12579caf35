using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using WsgiHost.FunctionalTests.Infrastructure;

namespace WsgiHost.FunctionalTests;

/// <summary>
/// Basic authentication against `wsgihost run auth.conf` (users made by Apache's htpasswd in
/// tests/apps/auth): the browser's challenge, Apache's 401 page and log lines, the user in the
/// app's environ (embedded and daemon) and in the access log, group rules, and AuthType None.
/// </summary>
public sealed class AuthenticationTests
{
    internal static AuthenticationHeaderValue Basic(string user, string password) =>
        new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}")));

    private static async Task<HttpResponseMessage> GetAsync(WsgiHostProcess host, string path, AuthenticationHeaderValue? credentials = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Authorization = credentials;
        return await host.Client.SendAsync(request);
    }

    private static async Task<Dictionary<string, JsonElement>> EnvironAsync(HttpResponseMessage response) =>
        JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(await response.Content.ReadAsStringAsync())!;

    [Fact]
    public async Task ABrowserIsAskedToLogInAndTheAppSeesTheUserInBothModes()
    {
        await using var host = await WsgiHostProcess.RunConfigAsync("auth.conf");

        using var challenge = await GetAsync(host, "/staff/environ");
        Assert.Equal(HttpStatusCode.Unauthorized, challenge.StatusCode);
        Assert.Equal("Basic realm=\"Staff \\\"only\\\"\"", challenge.Headers.WwwAuthenticate.ToString());
        Assert.Contains("<title>401 Unauthorized</title>", await challenge.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        foreach (string mount in new[] { "/staff", "/daemon" })
        {
            using var response = await GetAsync(host, $"{mount}/environ", Basic("alice", "wonderland"));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var environ = await EnvironAsync(response);
            Assert.Equal("alice", environ["REMOTE_USER"].GetProperty("value").GetString());
            Assert.Equal("Basic", environ["AUTH_TYPE"].GetProperty("value").GetString());
            // The password never reaches the app without WSGIPassAuthorization On.
            Assert.False(environ.ContainsKey("HTTP_AUTHORIZATION"));
        }
        await host.WaitForOutputAsync("seen alice 200 /daemon/environ");
        await host.WaitForOutputAsync("seen - 401 /staff/environ");
    }

    [Fact]
    public async Task AWrongPasswordIsRefusedAndLoggedAsFail2banExpects()
    {
        await using var host = await WsgiHostProcess.RunConfigAsync("auth.conf");

        using var wrong = await GetAsync(host, "/staff/environ", Basic("bob", "not-builder"));
        using var unknown = await GetAsync(host, "/daemon/environ", Basic("mallory", "x"));

        Assert.Equal((HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized), (wrong.StatusCode, unknown.StatusCode));
        Assert.NotEmpty(wrong.Headers.WwwAuthenticate);
        await host.WaitForLogLineAsync("[auth_basic:error]");
        string line = await host.WaitForLogLineAsync("AH01617: user bob: authentication failure for \"/staff/environ\": Password Mismatch");
        Assert.Contains("[client 127.0.0.1:", line, StringComparison.Ordinal);
        await host.WaitForLogLineAsync("AH01618: user mallory not found: /daemon/environ");
    }

    [Fact]
    public async Task AGroupRuleAdmitsItsMembersOnlyAndAuthTypeNoneOpensAPart()
    {
        await using var host = await WsgiHostProcess.RunConfigAsync("auth.conf");

        using var admin = await GetAsync(host, "/staff/admins/environ", Basic("alice", "wonderland"));
        using var notAdmin = await GetAsync(host, "/staff/admins/environ", Basic("carol", "singer"));
        using var open = await GetAsync(host, "/staff/public/environ");

        Assert.Equal(HttpStatusCode.OK, admin.StatusCode);
        // Logged in, but not allowed: 401 again, so the browser offers to log in as someone else.
        Assert.Equal(HttpStatusCode.Unauthorized, notAdmin.StatusCode);
        await host.WaitForLogLineAsync("AH01631: user carol: authorization failure for");
        Assert.Equal(HttpStatusCode.OK, open.StatusCode);
        Assert.False((await EnvironAsync(open)).ContainsKey("REMOTE_USER"));
    }
}
