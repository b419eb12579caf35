using WsgiHost.FunctionalTests.Infrastructure;

namespace WsgiHost.FunctionalTests;

/// <summary>
/// Encoded and relative path tricks against `wsgihost run` (hostile.conf): none leaves an Alias
/// folder (secret.txt sits next to it), none gets past a &lt;Location&gt; with Require all denied,
/// on a static Alias or on a WSGI mount, and none changes which mount serves the request.
/// Apache's rules: the path is percent-decoded, then "//" merged and dot segments resolved, so
/// "%2e%2e" is "..", while "%2f" and "%00" are 404 (AllowEncodedSlashes Off) and Location and Alias
/// prefixes are case-sensitive (so "/PRIVATE" maps to nothing: 404, not the private folder).
/// </summary>
[Collection(HostileSiteCollection.Name)]
public sealed class PathTrickTests(HostileSite site)
{
    private WsgiHostProcess Host => site.Host;

    [Fact]
    public async Task TheAliasFolderServesItsOwnFiles()
    {
        var (status, body) = await GetAsync("/public/hello.txt");
        Assert.Equal((200, HostileSite.Public), (status, body.Split("\r\n\r\n", 2)[1]));
    }

    [Theory]
    [InlineData("/public/../secret.txt")]
    [InlineData("/public/%2e%2e/secret.txt")]
    [InlineData("/public/%2E%2e/secret.txt")]
    [InlineData("/public/.%2e/secret.txt")]
    [InlineData("/public/%2e%2e%2fsecret.txt")]
    [InlineData("/public/..%2fsecret.txt")]
    [InlineData("/public/..%2Fsecret.txt")]
    [InlineData("/public/..\\secret.txt")]
    [InlineData("/public/%5c..%5csecret.txt")]
    [InlineData("/public/%c0%ae%c0%ae/secret.txt")]
    [InlineData("/public/%c0%af../secret.txt")]
    [InlineData("/public/..%c0%afsecret.txt")]
    [InlineData("/public/%252e%252e/secret.txt")]
    [InlineData("/public/%252e%252e%252fsecret.txt")]
    [InlineData("/public/..;/secret.txt")]
    [InlineData("/public;/../secret.txt")]
    [InlineData("/public/hello.txt%00.secret.txt")]
    [InlineData("/public/%00/../secret.txt")]
    [InlineData("/public/./../secret.txt")]
    [InlineData("/public//../secret.txt")]
    [InlineData("/public/../../secret.txt")]
    [InlineData("/public/../../../../../../etc/passwd")]
    [InlineData("/public..secret.txt")]
    [InlineData("/public/..")]
    [InlineData("//public/../secret.txt")]
    [InlineData("/secret.txt")]
    public async Task NoTrickLeavesTheAliasFolder(string target)
    {
        var (status, response) = await GetAsync(target);

        Assert.DoesNotContain(HostileSite.Secret, response);
        Assert.DoesNotContain("root:", response);
        Assert.True(status is 400 or 403 or 404 or 301, $"{target}: {status}\n{response}");
        Assert.False(Host.HasExited);
    }

    [Theory]
    [InlineData("/private/inside.txt", 403)]
    [InlineData("//private/inside.txt", 403)]
    [InlineData("/./private/inside.txt", 403)]
    [InlineData("/public/../private/inside.txt", 403)]
    [InlineData("/public/%2e%2e/private/inside.txt", 403)]
    [InlineData("/%70rivate/inside.txt", 403)]
    [InlineData("/%70%72%69%76%61%74%65/inside.txt", 403)]
    [InlineData("/private/./inside.txt", 403)]
    [InlineData("/private//inside.txt", 403)]
    [InlineData("/private/x/../inside.txt", 403)]
    [InlineData("/private/", 403)]
    [InlineData("/private", 403)]
    [InlineData("/private%2finside.txt", 404)]
    [InlineData("/private%2Finside.txt", 404)]
    // Kestrel refuses an encoded NUL before routing (400); Apache answers 404. Neither serves.
    [InlineData("/private/inside.txt%00", 400)]
    [InlineData("/PRIVATE/inside.txt", 404)]
    [InlineData("/Private/inside.txt", 404)]
    [InlineData("/private;x/inside.txt", 404)]
    [InlineData("/private%252finside.txt", 404)]
    [InlineData("/private\\inside.txt", 404)]
    public async Task NoTrickGetsPastLocationRequireAllDenied(string target, int expected)
    {
        var (status, response) = await GetAsync(target);

        Assert.DoesNotContain(HostileSite.Private, response);
        Assert.True(status == expected, $"{target}: {status}\n{response}");
    }

    [Theory]
    [InlineData("/app/admin", 403)]
    [InlineData("/app/admin/users", 403)]
    [InlineData("/app//admin", 403)]
    [InlineData("//app/admin", 403)]
    [InlineData("/app/./admin", 403)]
    [InlineData("/app/x/../admin", 403)]
    [InlineData("/app/%61dmin", 403)]
    [InlineData("/%61pp/admin", 403)]
    [InlineData("/limited/../app/admin", 403)]
    [InlineData("/app%2fadmin", 404)]
    [InlineData("/app/admin%00", 400)]
    [InlineData("/APP/admin", 404)]
    public async Task NoTrickGetsPastLocationOnAWsgiMount(string target, int expected)
    {
        string token = "q" + Guid.NewGuid().ToString("N");
        var (status, response) = await GetAsync($"{target}?{token}");

        Assert.True(status == expected, $"{target}: {status}\n{response}");
        Assert.Equal("[]", await site.SeenAsync(token));
    }

    [Theory]
    [InlineData("/app/%2e%2e/limited/environ", "/limited", "/environ")]
    [InlineData("/app/environ/..;/x", "/app", "/environ/..;/x")]
    [InlineData("/app/environ%3b", "/app", "/environ;")]
    public async Task TricksResolveToTheMountApacheWouldChoose(string target, string scriptName, string pathInfo)
    {
        using var response = await Host.Client.GetAsync(target);
        string body = await response.Content.ReadAsStringAsync();

        if (pathInfo == "/environ")
        {
            Assert.Equal(200, (int)response.StatusCode);
            Assert.Contains($"\"SCRIPT_NAME\": {{\"repr\": \"'{scriptName}'\", \"type\": \"str\", \"value\": \"{scriptName}\"}}", body);
        }
        else
        {
            // The app's own 404 names the PATH_INFO it was given: the mount is the one asked for.
            Assert.Equal(404, (int)response.StatusCode);
            Assert.Contains($"no route '{pathInfo}'", body);
        }
    }

    [Fact]
    public async Task RequireHostLooksTheClientUp()
    {
        // 127.0.0.1 is "localhost" both ways (PTR and forward-confirmed) in /etc/hosts: the
        // request reaches the app (whose own 404 names the route); another name is refused.
        var (status, response) = await GetAsync("/app/by-host/local");
        Assert.True(status == 404 && response.Contains("no route '/by-host/local'", StringComparison.Ordinal), response);

        (status, response) = await GetAsync("/app/by-host/elsewhere");
        Assert.True(status == 403, response);
    }

    private async Task<(int Status, string Response)> GetAsync(string target)
    {
        string response = await RawHttp.SendAsync(Host.Port, $"GET {target} HTTP/1.1\r\nHost: hostile.test\r\nConnection: close\r\n\r\n");
        return (RawHttp.StatusOf(response), response);
    }
}
