using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using WsgiHost.FunctionalTests.Infrastructure;

namespace WsgiHost.FunctionalTests;

/// <summary>httpbin (Debian's python3-httpbin) through WsgiHost, embedded and in a daemon group.</summary>
public sealed class HttpbinTests
{
    private static async Task<WsgiHostProcess> RunAsync(bool daemon)
    {
        int port = WsgiHostProcess.FreePort();
        var defines = new Dictionary<string, string> { ["PORT"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture) };
        if (daemon)
        {
            defines["DAEMON"] = "1";
        }
        return await WsgiHostProcess.RunAsync(Path.Combine(WsgiHostProcess.TestAppsDirectory, "configs", "httpbin.conf"), port, defines);
    }

    private static async Task<JsonElement> JsonAsync(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task HttpbinWorksEndToEnd(bool daemon)
    {
        await using var host = await RunAsync(daemon);
        HttpClient noRedirects = host.ClientWithoutRedirects;

        // /anything: method, args, form, headers.
        using (var form = new FormUrlEncodedContent([new("name", "wsgi host"), new("lang", "C#")]))
        {
            var anything = await JsonAsync(await host.Client.PostAsync("/httpbin/anything/x?a=1&b=two", form));
            Assert.Equal("POST", anything.GetProperty("method").GetString());
            Assert.Equal("two", anything.GetProperty("args").GetProperty("b").GetString());
            Assert.Equal("wsgi host", anything.GetProperty("form").GetProperty("name").GetString());
            Assert.EndsWith("/httpbin/anything/x?a=1&b=two", anything.GetProperty("url").GetString());
        }
        using (var json = new StringContent("{\"k\": [1, 2]}", Encoding.UTF8, "application/json"))
        {
            var anything = await JsonAsync(await host.Client.PutAsync("/httpbin/anything", json));
            Assert.Equal(2, anything.GetProperty("json").GetProperty("k")[1].GetInt32());
        }

        // /basic-auth needs the Authorization header: WSGIPassAuthorization On.
        using (var auth = new HttpRequestMessage(HttpMethod.Get, "/httpbin/basic-auth/user/pass"))
        {
            auth.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.ASCII.GetBytes("user:pass")));
            Assert.True((await JsonAsync(await host.Client.SendAsync(auth))).GetProperty("authenticated").GetBoolean());
        }
        using (var wrong = await host.Client.GetAsync("/httpbin/basic-auth/user/pass"))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        }

        // Cookies, redirects relative to the mount, gzip, streaming, large bodies, status codes.
        using (var set = await noRedirects.GetAsync("/httpbin/cookies/set?flavour=oat"))
        {
            Assert.Equal(HttpStatusCode.Found, set.StatusCode);
            Assert.Contains(set.Headers.GetValues("Set-Cookie"), c => c.StartsWith("flavour=oat", StringComparison.Ordinal));
        }
        using (var redirect = await noRedirects.GetAsync("/httpbin/redirect/3"))
        {
            Assert.Equal(HttpStatusCode.Found, redirect.StatusCode);
            Assert.Equal("/httpbin/relative-redirect/2", redirect.Headers.Location?.OriginalString);
        }
        Assert.Equal(HttpStatusCode.OK, (await host.Client.GetAsync("/httpbin/redirect/3")).StatusCode);   // followed to /get
        using (var gzip = await noRedirects.GetAsync("/httpbin/gzip"))
        {
            Assert.Equal("gzip", gzip.Content.Headers.ContentEncoding.Single());
            using var unzip = new System.IO.Compression.GZipStream(await gzip.Content.ReadAsStreamAsync(), System.IO.Compression.CompressionMode.Decompress);
            Assert.True(JsonDocument.Parse(unzip).RootElement.GetProperty("gzipped").GetBoolean());
        }
        string stream = await host.Client.GetStringAsync("/httpbin/stream/20");
        Assert.Equal(20, stream.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        byte[] bytes = await host.Client.GetByteArrayAsync("/httpbin/bytes/1048576");
        Assert.Equal(100 * 1024, bytes.Length);   // httpbin caps /bytes at 100 KiB itself
        using (var teapot = await host.Client.GetAsync("/httpbin/status/418"))
        {
            Assert.Equal((HttpStatusCode)418, teapot.StatusCode);
        }

        // A slow request does not hold up fast ones: other threads keep serving.
        var slow = host.Client.GetAsync("/httpbin/delay/3");
        for (int i = 0; i < 5; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await host.Client.GetAsync("/httpbin/get")).StatusCode);
        }
        Assert.False(slow.IsCompleted, "the fast requests were answered only after /delay/3");
        Assert.Equal(HttpStatusCode.OK, (await slow).StatusCode);
        Assert.Equal(0, await host.StopAsync());
    }
}
