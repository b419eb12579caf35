using System.Net;
using System.Security.Cryptography;
using System.Text.Json;

namespace WsgiHost.FunctionalTests.Infrastructure;

/// <summary>Upload bodies for the fixture app's /echo (gateway.wsgi), and the check that it read them exactly.</summary>
internal static class EchoedUploads
{
    /// <summary>Random bytes, the same for the same seed.</summary>
    public static byte[] Body(int size, int seed)
    {
        byte[] body = new byte[size];
        new Random(seed).NextBytes(body);
        return body;
    }

    /// <summary>The app's answer names the length and SHA-256 of what it read: those of <paramref name="sent"/>.</summary>
    public static async Task AssertEchoedAsync(HttpResponseMessage response, byte[] sent)
    {
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var echoed = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(sent.Length, echoed.GetProperty("length").GetInt32());
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(sent)), echoed.GetProperty("sha256").GetString());
    }
}
