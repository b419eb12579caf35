using BenchmarkDotNet.Attributes;
using WsgiHost.Daemon;
using WsgiHost.Routing;
using WsgiHost.Server;

namespace WsgiHost.Benchmarks;

/// <summary>
/// The frames between the front and a daemon worker (<see cref="DaemonProtocol"/>), from and to
/// memory so only the codec is measured: the request head of a typical request (the environ
/// <see cref="DaemonEnviron.Build"/> makes, ~40 entries, plus the secret), a 64 KiB body
/// chunk each way, and a response head with the headers of a typical HTML page.
/// </summary>
[MemoryDiagnoser]
public class DaemonProtocolBenchmarks
{
    private const int ChunkSize = 64 * 1024;
    private const string Secret = "5f0c2a9e7b1d4c3a8e6f0b2d4a6c8e0f";
    private List<KeyValuePair<string, string>> _typical = null!;
    private List<KeyValuePair<string, string>> _environ = null!;
    private byte[] _requestFrame = null!;
    private List<KeyValuePair<string, string>> _responseHeaders = null!;
    private byte[] _responseFrame = null!;
    private byte[] _chunk = null!;
    private MemoryStream _chunkOut = null!;
    private MemoryStream _chunkIn = null!;
    private byte[] _readBuffer = null!;
    private readonly FrameStrings _strings = new();
    private readonly byte[] _requestBuffer = new byte[4 * 1024];
    private readonly System.Buffers.ReadOnlySequence<byte> _smallBody = new(new byte[1024]);
    private readonly FrameStrings _responseStrings = new();

    [GlobalSetup]
    public void Setup()
    {
        RequestTarget target = RequestTarget.Parse(TypicalRequest.RawTarget);
        var options = new RequestOptions("site42.example.com", false, [new("SITE_ENVIRONMENT", "production"), new("TZ", "UTC")], null);
        _typical = DaemonEnviron.Build(TypicalRequest.Create(), options, "/srv/site42/htdocs", "", target.Path, target, TypicalRequest.RawTarget,
            DateTimeOffset.UnixEpoch, "/srv/site42/app/app.wsgi", "application", "%{GLOBAL}", true);
        _environ = [.. _typical, new(DaemonKeys.Secret, Secret)];
        _requestFrame = DaemonProtocol.EncodeRequest(_environ);
        _responseHeaders =
        [
            new("Content-Type", "text/html; charset=utf-8"),
            new("Content-Length", "18342"),
            new("Cache-Control", "private, max-age=0"),
            new("Vary", "Cookie, Accept-Encoding"),
            new("X-Frame-Options", "DENY"),
            new("X-Content-Type-Options", "nosniff"),
            new("Set-Cookie", "csrftoken=Q2Fh7ZkP1mX9wL3vB8nR4tY6uJ0cE5dA; expires=Wed, 01 Dec 2027 06:00:00 GMT; Max-Age=31449600; Path=/; SameSite=Lax"),
        ];
        _responseFrame = DaemonProtocol.EncodeResponseHead(200, "OK", _responseHeaders);
        _chunk = new byte[ChunkSize];
        new Random(42).NextBytes(_chunk);
        _chunkOut = new MemoryStream(ChunkSize + 4);
        _chunkIn = new MemoryStream();
        DaemonProtocol.WriteChunk(_chunkIn, _chunk);
        _readBuffer = new byte[ChunkSize];
    }

    /// <summary>For the report: how many entries and bytes the typical request head has.</summary>
    [GlobalCleanup]
    public void Report() =>
        Console.WriteLine($"// request head: {_environ.Count} entries, {_requestFrame.Length} bytes; response head: {_responseHeaders.Count} headers, {_responseFrame.Length} bytes");

    [Benchmark(Description = "encode request head (~40 entries)")]
    public int EncodeRequest() => DaemonProtocol.EncodeRequest(_environ).Length;

    /// <summary>What DaemonGroupRuntime sends for a GET: the environ, the group's secret, the end-of-body marker.</summary>
    [Benchmark(Description = "front: head of a GET (+ secret, end of body)")]
    public int EncodeFrontRequest() => DaemonProtocol.EncodeRequest(_typical, Secret, endOfBody: true).Length;

    /// <summary>As DaemonGroupRuntime sends it: into the daemon connection's own buffer.</summary>
    [Benchmark(Description = "front: head of a GET into the connection's buffer")]
    public int EncodeFrontRequestIntoBuffer() => DaemonProtocol.EncodeRequest(_typical, Secret, true, default, _requestBuffer, out _).Length;

    /// <summary>A small POST as DaemonGroupRuntime sends it: the head and the whole 1 KiB body after it, in a pooled array.</summary>
    [Benchmark(Description = "front: head of a 1 KiB POST with its body")]
    public int EncodeFrontRequestWithBody()
    {
        int length = DaemonProtocol.EncodeRequest(_typical, Secret, true, _smallBody, _requestBuffer, out byte[]? rented).Length;
        if (rented != null)
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(rented);
        }
        return length;
    }

    [Benchmark(Description = "decode request head (~40 entries)")]
    public int DecodeRequest() => DaemonProtocol.ReadRequest(new MemoryStream(_requestFrame, writable: false)).Count;

    [Benchmark(Description = "worker: decode a head read already (every string new)")]
    public int DecodeHead() => DaemonProtocol.ParseRequest(_requestFrame.AsSpan(4)).Count;

    /// <summary>As the worker reads a connection's heads: one after another, the previous head's strings taken again where unchanged.</summary>
    [Benchmark(Description = "worker: decode the next head on a connection")]
    public int DecodeNextRequest() => DaemonProtocol.ParseRequest(_requestFrame.AsSpan(4), _strings).Count;

    [Benchmark(Description = "encode response head (7 headers)")]
    public int EncodeResponseHead() => DaemonProtocol.EncodeResponseHead(200, "OK", _responseHeaders).Length;

    [Benchmark(Description = "decode response head (7 headers)")]
    public int DecodeResponseHead()
    {
        byte[] head = DaemonProtocol.ReadHead(new MemoryStream(_responseFrame, writable: false));
        return DaemonProtocol.ParseResponseHead(head).Headers.Count;
    }

    /// <summary>As the front reads the response heads of a daemon connection, the previous one's strings taken again where unchanged.</summary>
    [Benchmark(Description = "front: decode the next response head on a connection")]
    public int DecodeNextResponseHead() => DaemonProtocol.ParseResponseHead(_responseFrame.AsSpan(4), _responseStrings).Headers.Count;

    [Benchmark(Description = "write 64 KiB body chunk")]
    public long WriteChunk()
    {
        _chunkOut.Position = 0;
        DaemonProtocol.WriteChunk(_chunkOut, _chunk);
        return _chunkOut.Position;
    }

    [Benchmark(Description = "read 64 KiB body chunk")]
    public uint ReadChunk()
    {
        _chunkIn.Position = 0;
        uint n = DaemonProtocol.ReadChunkHeader(_chunkIn);
        DaemonProtocol.ReadExactly(_chunkIn, _readBuffer.AsSpan(0, (int)n));
        return n;
    }
}
