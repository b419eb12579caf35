using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using WsgiHost.FunctionalTests.Infrastructure;

namespace WsgiHost.FunctionalTests;

/// <summary>
/// mod_wsgi's Python authentication hooks against `wsgihost run authscript.conf`: Django's recipe
/// (check_password and groups_for_user beside the app in tests/apps/auth/site.wsgi) with
/// AuthBasicProvider wsgi, WSGIAuthUserScript, WSGIAuthGroupScript and Require wsgi-group.
/// </summary>
public sealed class AuthScriptTests
{
    private static AuthenticationHeaderValue Basic(string user, string password) => AuthenticationTests.Basic(user, password);

    private static Task<WsgiHostProcess> StartAsync(string restrictEmbedded = "Off")
    {
        int port = WsgiHostProcess.FreePort();
        return WsgiHostProcess.RunAsync(Path.Combine(WsgiHostProcess.TestAppsDirectory, "configs", "authscript.conf"), port,
            new Dictionary<string, string> { ["PORT"] = port.ToString(CultureInfo.InvariantCulture), ["RESTRICT"] = restrictEmbedded });
    }

    private static async Task<HttpResponseMessage> GetAsync(WsgiHostProcess host, string path, AuthenticationHeaderValue? credentials = null, string? access = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Authorization = credentials;
        request.Headers.Add("X-Trace", "t-1");
        if (access != null)
        {
            request.Headers.Add("X-Access", access);
        }
        return await host.Client.SendAsync(request);
    }

    [Fact]
    public async Task AllowAccessDeniesWithFalseOrAFailureAndUnderSatisfyAnyLetsInWithTrue()
    {
        await using var host = await StartAsync();

        var answers = new Dictionary<string, HttpStatusCode>();
        foreach (string access in new[] { "allow", "deny", "raise", "none", "host" })
        {
            using var response = await GetAsync(host, "/hosts/environ", access: access);
            answers[access] = response.StatusCode;
        }
        Assert.Equal(HttpStatusCode.OK, answers["allow"]);
        Assert.Equal(HttpStatusCode.Forbidden, answers["deny"]);
        // As mod_wsgi: a script that cannot answer denies.
        Assert.Equal(HttpStatusCode.Forbidden, answers["raise"]);
        Assert.Equal(HttpStatusCode.OK, answers["none"]);
        // The host is the client's address.
        Assert.Equal(HttpStatusCode.OK, answers["host"]);
        // Apache names the file the URL maps to.
        await host.WaitForLogLineAsync($"Client denied by server configuration: '{WsgiHostProcess.App("gateway.wsgi")}' (WSGIAccessScript '");
        await host.WaitForLogAsync("RuntimeError: the ban list is unreadable");

        // Satisfy Any: the script's True is enough; its False asks for a login, which then lets in.
        using var trusted = await GetAsync(host, "/hosts-or-login/environ", access: "allow");
        using var untrusted = await GetAsync(host, "/hosts-or-login/environ", access: "deny");
        using var loggedIn = await GetAsync(host, "/hosts-or-login/environ", Basic("alice", "wonderland"), access: "deny");
        Assert.Equal((HttpStatusCode.OK, HttpStatusCode.Unauthorized, HttpStatusCode.OK), (trusted.StatusCode, untrusted.StatusCode, loggedIn.StatusCode));
    }

    private static async Task<JsonElement> JsonAsync(HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

    [Fact]
    public async Task CheckPasswordLogsTheUserInAndSharesItsModuleWithTheAppOfTheSameFile()
    {
        await using var host = await StartAsync();

        using var challenge = await GetAsync(host, "/site/page?x=1");
        Assert.Equal(HttpStatusCode.Unauthorized, challenge.StatusCode);
        Assert.Equal("Basic realm=\"Site\"", challenge.Headers.WwwAuthenticate.ToString());

        using var response = await GetAsync(host, "/site/page?x=1", Basic("alice", "wonderland"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        JsonElement body = await JsonAsync(response);
        Assert.Equal("alice", body.GetProperty("REMOTE_USER").GetString());
        // The hook ran in the main interpreter, in the module the app runs from.
        JsonElement seen = body.GetProperty("seen");
        Assert.Equal(["alice", "wonderland"], seen.GetProperty("credentials").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal("ErrorLog", seen.GetProperty("errors").GetString());
        JsonElement environ = seen.GetProperty("environ");
        Assert.Equal("GET", environ.GetProperty("REQUEST_METHOD").GetString());
        Assert.Equal("/site/page?x=1", environ.GetProperty("REQUEST_URI").GetString());
        Assert.Equal("x=1", environ.GetProperty("QUERY_STRING").GetString());
        Assert.Equal(("/site", "/page"), (environ.GetProperty("SCRIPT_NAME").GetString(), environ.GetProperty("PATH_INFO").GetString()));
        Assert.Equal("t-1", environ.GetProperty("HTTP_X_TRACE").GetString());
        Assert.Equal("127.0.0.1", environ.GetProperty("REMOTE_ADDR").GetString());
        Assert.Equal("", environ.GetProperty("mod_wsgi.application_group").GetString());
        // The password is an argument; the header that carries it is not in the environ.
        Assert.False(environ.TryGetProperty("HTTP_AUTHORIZATION", out _));
        await host.WaitForOutputAsync("seen alice 200 /site/page");
    }

    [Fact]
    public async Task FalseIsAWrongPasswordNoneAnUnknownUserAndAStrRenamesTheUser()
    {
        await using var host = await StartAsync();

        using var wrong = await GetAsync(host, "/site/page", Basic("alice", "nope"));
        using var inactive = await GetAsync(host, "/site/page", Basic("dave", "away"));
        using var renamed = await GetAsync(host, "/site/page", Basic("renamed", "anything"));
        using var accented = await GetAsync(host, "/site/page", Basic("zo\u00eb", "m\u00f6t\u00f6rhead"));

        Assert.Equal((HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized), (wrong.StatusCode, inactive.StatusCode));
        await host.WaitForLogLineAsync("AH01617: user alice: authentication failure for \"/site/page\": Password Mismatch");
        // The access log names the user whose credentials were refused, as Apache's does.
        await host.WaitForOutputAsync("seen alice 401 /site/page");
        await host.WaitForLogLineAsync("AH01618: user dave not found: /site/page");
        Assert.Equal(HttpStatusCode.OK, renamed.StatusCode);
        Assert.Equal("Renamed.User", (await JsonAsync(renamed)).GetProperty("REMOTE_USER").GetString());
        // UTF-8 from the browser reaches the script as the text typed.
        Assert.Equal(HttpStatusCode.OK, accented.StatusCode);
        Assert.Equal(["zo\u00eb", "m\u00f6t\u00f6rhead"], (await JsonAsync(accented)).GetProperty("seen").GetProperty("credentials").EnumerateArray().Select(e => e.GetString()));
    }

    [Fact]
    public async Task AScriptThatRaisesOrAnswersNonsenseFailsOnlyThatRequestWithItsTraceback()
    {
        await using var host = await StartAsync();

        using var crash = await GetAsync(host, "/site/page", Basic("crash", "x"));
        using var weird = await GetAsync(host, "/site/page", Basic("weird", "x"));
        using var missing = await GetAsync(host, "/broken/environ", Basic("alice", "wonderland"));
        using var fine = await GetAsync(host, "/site/page", Basic("alice", "wonderland"));

        Assert.Equal(HttpStatusCode.InternalServerError, crash.StatusCode);
        Assert.Equal(HttpStatusCode.InternalServerError, weird.StatusCode);
        Assert.Equal(HttpStatusCode.InternalServerError, missing.StatusCode);
        Assert.Equal(HttpStatusCode.OK, fine.StatusCode);
        await host.WaitForLogAsync("RuntimeError: the user database is down");
        await host.WaitForLogAsync("TypeError: Basic auth provider must return True, False None or user name as string");
        await host.WaitForLogAsync("does not provide 'Basic' auth provider");
        // The tracebacks are the script's own frames.
        Assert.DoesNotContain("<wsgihost bootstrap>", host.ErrorLog, StringComparison.Ordinal);
        await host.WaitForLogAsync("failed to check user crash; its error is logged above");
    }

    [Fact]
    public async Task RequireWsgiGroupAdmitsTheGroupsTheScriptGives()
    {
        await using var host = await StartAsync();

        using var admin = await GetAsync(host, "/site/admins/x", Basic("alice", "wonderland"));
        using var caseDiffers = await GetAsync(host, "/site/admins/x", Basic("zo\u00eb", "m\u00f6t\u00f6rhead"));
        using var staff = await GetAsync(host, "/site/admins/x", Basic("grace", "only-in-python"));

        Assert.Equal(HttpStatusCode.OK, admin.StatusCode);
        // Compared without case, as mod_wsgi looks groups up.
        Assert.Equal(HttpStatusCode.OK, caseDiffers.StatusCode);
        // Logged in but not in the group: 401, so the browser can offer another login.
        Assert.Equal(HttpStatusCode.Unauthorized, staff.StatusCode);
        await host.WaitForLogLineAsync("AH01631: user grace: authorization failure for \"/site/admins/x\"");
    }

    [Theory]
    [InlineData("Off")]
    [InlineData("On")]
    public async Task ProvidersAreAskedInOrderInFrontOfADaemonGroupEvenWithEmbeddedModeRestricted(string restrictEmbedded)
    {
        await using var host = await StartAsync(restrictEmbedded);

        // alice is in the htpasswd file; grace only in the script, asked second; mallory in neither.
        using var fromFile = await GetAsync(host, "/daemon/environ", Basic("alice", "wonderland"));
        using var fromScript = await GetAsync(host, "/daemon/environ", Basic("grace", "only-in-python"));
        using var nobody = await GetAsync(host, "/daemon/environ", Basic("mallory", "x"));

        Assert.Equal(HttpStatusCode.OK, fromFile.StatusCode);
        Assert.Equal(HttpStatusCode.OK, fromScript.StatusCode);
        Assert.Equal("grace", (await JsonAsync(fromScript)).GetProperty("REMOTE_USER").GetProperty("value").GetString());
        Assert.Equal(HttpStatusCode.Unauthorized, nobody.StatusCode);
        await host.WaitForLogLineAsync("AH01618: user mallory not found: /daemon/environ");
    }

    [Fact]
    public async Task ServeTakesModWsgiExpressAuthOptions()
    {
        string auth = Path.Combine(WsgiHostProcess.TestAppsDirectory, "auth");
        // serve's default daemon mode: the hooks run in the server process, the app in its worker.
        await using var host = await WsgiHostProcess.StartAsync(WsgiHostProcess.App("gateway.wsgi"),
            "--auth-user-script", Path.Combine(auth, "site.wsgi"), "--auth-group-script", Path.Combine(auth, "site.wsgi"), "--auth-group", "admins",
            "--host-access-script", Path.Combine(auth, "hosts.py"));

        using var challenge = await GetAsync(host, "/environ");
        Assert.Equal(HttpStatusCode.Unauthorized, challenge.StatusCode);
        Assert.Equal($"Basic realm=\"127.0.0.1:{host.Port}\"", challenge.Headers.WwwAuthenticate.ToString());
        using var admin = await GetAsync(host, "/environ", Basic("alice", "wonderland"));
        Assert.Equal(HttpStatusCode.OK, admin.StatusCode);
        Assert.Equal("alice", (await JsonAsync(admin)).GetProperty("REMOTE_USER").GetProperty("value").GetString());
        using var notAdmin = await GetAsync(host, "/environ", Basic("grace", "only-in-python"));
        Assert.Equal(HttpStatusCode.Unauthorized, notAdmin.StatusCode);
        using var banned = await GetAsync(host, "/environ", Basic("alice", "wonderland"), access: "deny");
        Assert.Equal(HttpStatusCode.Forbidden, banned.StatusCode);
    }

    [Fact]
    public async Task ServeRefusesAuthOptionsItCannotHonour()
    {
        var (exit, _, error) = await WsgiHostProcess.RunToEndAsync("serve", WsgiHostProcess.App("gateway.wsgi"), "--auth-user-script", "/no/such/check.py");
        Assert.Equal(2, exit);
        Assert.Contains("--auth-user-script: no such file: /no/such/check.py", error, StringComparison.Ordinal);
        (exit, _, error) = await WsgiHostProcess.RunToEndAsync("serve", WsgiHostProcess.App("gateway.wsgi"), "--auth-type", "Digest");
        Assert.Equal(2, exit);
        Assert.Contains("WsgiHost authenticates with Basic only", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("On")]
    [InlineData("Off")]
    public async Task AnEditedScriptIsLoadedAgainUnlessScriptReloadingIsOff(string reloading)
    {
        string dir = Directory.CreateTempSubdirectory("wsgihost-authscript-").FullName;
        try
        {
            string script = Path.Combine(dir, "check.py");
            await File.WriteAllTextAsync(script, "def check_password(environ, user, password):\n    return password == 'first'\n");
            string config = Path.Combine(dir, "site.conf");
            await File.WriteAllTextAsync(config, $"""
                Listen 127.0.0.1:${"{PORT}"}
                WSGIScriptReloading {reloading}
                WSGIScriptAlias / {WsgiHostProcess.App("gateway.wsgi")}
                <Location />
                    AuthType Basic
                    AuthName "Edited"
                    AuthBasicProvider wsgi
                    WSGIAuthUserScript {script}
                    Require valid-user
                </Location>
                """);
            int port = WsgiHostProcess.FreePort();
            await using var host = await WsgiHostProcess.RunAsync(config, port, new Dictionary<string, string> { ["PORT"] = port.ToString(CultureInfo.InvariantCulture) });

            using var before = await GetAsync(host, "/environ", Basic("any", "first"));
            Assert.Equal(HttpStatusCode.OK, before.StatusCode);

            await File.WriteAllTextAsync(script, "def check_password(environ, user, password):\n    return password == 'second'\n");
            File.SetLastWriteTimeUtc(script, DateTime.UtcNow.AddSeconds(5));
            using var old = await GetAsync(host, "/environ", Basic("any", "first"));
            using var updated = await GetAsync(host, "/environ", Basic("any", "second"));
            Assert.Equal(reloading == "On" ? (HttpStatusCode.Unauthorized, HttpStatusCode.OK) : (HttpStatusCode.OK, HttpStatusCode.Unauthorized), (old.StatusCode, updated.StatusCode));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
