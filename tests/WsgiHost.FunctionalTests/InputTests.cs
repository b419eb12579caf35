using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text.Json;
using WsgiHost.FunctionalTests.Infrastructure;

namespace WsgiHost.FunctionalTests;

[Collection(GatewayCollection.Name)]
public sealed class InputTests(GatewayServer server)
{
    private WsgiHostProcess Host => server.Host;

    private const string Body = "line one\nline two\n\nlast without newline";

    private async Task<string[]> ReadAsync(string mode, string body = Body)
    {
        using var response = await Host.Client.PostAsync($"/read?{mode}", new StringContent(body));
        Assert.Equal(200, (int)response.StatusCode);
        return JsonSerializer.Deserialize<string[]>(await response.Content.ReadAsStringAsync())!;
    }

    [Fact]
    public async Task AnUploadThatStallsSomeSecondsIsStillTakenByDefault()
    {
        // No RequestReadTimeout: as Apache with mod_reqtimeout's defaults, a small body may stall
        // for seconds (a phone changing networks); Kestrel's own default cut it off after 5 s.
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, Host.Port);
        using NetworkStream stream = client.GetStream();
        byte[] body = new byte[1200];
        Array.Fill(body, (byte)'s');
        await stream.WriteAsync(System.Text.Encoding.ASCII.GetBytes($"POST /echo HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: {body.Length}\r\nConnection: close\r\n\r\n"));
        await stream.WriteAsync(body.AsMemory(0, 10));
        await Task.Delay(TimeSpan.FromSeconds(7));
        await stream.WriteAsync(body.AsMemory(10));
        string response = System.Text.Encoding.Latin1.GetString(await RawHttp.ReadToEndAsync(stream));
        Assert.Equal(200, RawHttp.StatusOf(response));
        Assert.Contains($"\"sha256\": \"{Convert.ToHexStringLower(SHA256.HashData(body))}\"", response, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReadWithoutArgumentReadsTheWholeBody() =>
        Assert.Equal([Body], await ReadAsync("all"));

    [Fact]
    public async Task ReadNReturnsPiecesThenEmptyAndReadZeroIsEmpty()
    {
        string[] parts = await ReadAsync("n");
        Assert.Equal(Body, string.Concat(parts[..^1]));
        Assert.All(parts[..^2], p => Assert.Equal(3, p.Length));
        Assert.Equal("b''", parts[^1]);
    }

    [Fact]
    public async Task ReadlineSplitsOnNewlines() =>
        Assert.Equal(["line one\n", "line two\n", "\n", "last without newline"], await ReadAsync("readline"));

    [Fact]
    public async Task ReadlineHonoursItsSizeLimit() =>
        Assert.Equal(["line", " one\n"], await ReadAsync("readline-limit"));

    [Fact]
    public async Task ReadlinesAndIterationGiveEveryLine()
    {
        string[] expected = ["line one\n", "line two\n", "\n", "last without newline"];
        Assert.Equal(expected, await ReadAsync("readlines"));
        Assert.Equal(expected, await ReadAsync("iter"));
    }

    [Fact]
    public async Task ReadsAtEndOfBodyReturnEmptyBytes() =>
        Assert.Equal([Body, "b''", "b''", "b''"], await ReadAsync("eof"));

    [Fact]
    public async Task AChunkedBodyEndsAtItsLastChunk()
    {
        var content = new StreamContent(new MemoryStream(System.Text.Encoding.ASCII.GetBytes(Body)));
        var request = new HttpRequestMessage(HttpMethod.Post, "/read?eof") { Content = content };
        request.Headers.TransferEncodingChunked = true;
        using var response = await Host.Client.SendAsync(request);
        Assert.Equal([Body, "b''", "b''", "b''"], JsonSerializer.Deserialize<string[]>(await response.Content.ReadAsStringAsync())!);
    }

    [Fact]
    public async Task ReadNAfterReadlineStartsWithWhatTheLineLeftBuffered() =>
        Assert.Equal(["line one\n", "line ", "two\n\nlast without newline", "b''"], await ReadAsync("mixed"));

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task ReadNPastTheEndOfTheBodyReturnsTheBodyThenEmpty(bool chunked)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/read?more-than-sent") { Content = new StringContent(Body) };
        request.Headers.TransferEncodingChunked = chunked;
        using var response = await Host.Client.SendAsync(request);
        Assert.Equal([Body, "b''"], JsonSerializer.Deserialize<string[]>(await response.Content.ReadAsStringAsync())!);
    }

    [Fact]
    public async Task ARequestWithoutABodyReadsAsEmpty()
    {
        using var response = await Host.Client.GetAsync("/read?more-than-sent");
        Assert.Equal(["", "b''"], JsonSerializer.Deserialize<string[]>(await response.Content.ReadAsStringAsync())!);
    }

    [Fact]
    public async Task ATenMebibyteUploadArrivesIntact()
    {
        byte[] data = EchoedUploads.Body(10 * 1024 * 1024, 42);
        using var response = await Host.Client.PostAsync("/echo", new ByteArrayContent(data));
        await EchoedUploads.AssertEchoedAsync(response, data);
    }

    [Fact]
    public async Task AClientThatLeavesMidUploadFailsOnlyItsOwnRequest()
    {
        int clientPort;
        using (var client = new TcpClient())
        {
            await client.ConnectAsync(IPAddress.Loopback, Host.Port);
            clientPort = ((IPEndPoint)client.Client.LocalEndPoint!).Port;
            NetworkStream stream = client.GetStream();
            await stream.WriteAsync("POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 1000000\r\n\r\n"u8.ToArray());
            await stream.WriteAsync(new byte[100_000]);
            await Task.Delay(200); // the app is reading by now
        } // gone with 900,000 bytes of the body unsent

        // The app's read failed as mod_wsgi's does, with the client named; the server goes on.
        string log = await Host.WaitForLogAsync($"[client 127.0.0.1:{clientPort}] Exception occurred processing WSGI script");
        Assert.Contains("OSError: request data read error", log);
        byte[] data = EchoedUploads.Body(300_000, 7);
        using var response = await Host.Client.PostAsync("/echo", new ByteArrayContent(data));
        await EchoedUploads.AssertEchoedAsync(response, data);
    }

    [Fact]
    public async Task AHundredMebibyteUploadStreamsWithoutSittingInMemory()
    {
        const long size = 100L * 1024 * 1024;
        long before = ResidentBytes(Host.Pid);
        var content = new StreamContent(new PatternStream(size), 65536);
        content.Headers.ContentLength = size;
        using var response = await Host.Client.PostAsync("/echo", content);
        var result = JsonSerializer.Deserialize<JsonElement>(await response.Content.ReadAsStringAsync());
        Assert.Equal(size, result.GetProperty("length").GetInt64());
        long growth = ResidentBytes(Host.Pid) - before;
        Assert.True(growth < 40L * 1024 * 1024, $"the server grew by {growth / 1024 / 1024} MiB while streaming 100 MiB");
    }

    private static long ResidentBytes(int pid)
    {
        string line = File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) * 1024;
    }

    /// <summary>A long body generated on the fly, so the client does not hold it either.</summary>
    private sealed class PatternStream(long length) : Stream
    {
        private long _position;

        public override int Read(byte[] buffer, int offset, int count)
        {
            int n = (int)Math.Min(count, length - _position);
            for (int i = 0; i < n; i++)
            {
                buffer[offset + i] = (byte)((_position + i) % 251);
            }
            _position += n;
            return n;
        }

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => length;
        public override long Position { get => _position; set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    [Fact]
    public async Task AnUnreadBodyDoesNotBreakKeepAlive()
    {
        string request = $"POST /read?none HTTP/1.1\r\nHost: a\r\nContent-Length: {Body.Length}\r\n\r\n{Body}" +
                         "GET /write HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n";
        string response = await RawHttp.SendAsync(Host.Port, request);
        Assert.Contains("[\"unread\"]", response);
        Assert.Contains("8\r\nreturned\r\n0\r\n\r\n", response); // the second, chunked, response
        Assert.Equal(2, response.Split("HTTP/1.1 200 OK").Length - 1);
    }
}
