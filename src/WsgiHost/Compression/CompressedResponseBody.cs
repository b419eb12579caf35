using System.IO.Pipelines;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using WsgiHost.Configuration.Model;

namespace WsgiHost.Compression;

/// <summary>How a response's body goes out once its headers are final.</summary>
internal enum CompressionDecision
{
    Undecided,
    PassThrough,
    Compressing,

    /// <summary>A HEAD response that would be compressed: its headers say so, and no body goes.</summary>
    HeadersOnly,
}

/// <summary>
/// mod_deflate and mod_brotli for one response, in place of Kestrel's response body: whatever
/// writes the body (the WSGI bridge, the daemon front, static files, error pages) writes here,
/// and the first write, flush or start decides from the headers as they are then, as Apache's
/// filter does when the first bytes reach it. A response is compressed when its type is in
/// scope (<see cref="OutputCompressionPolicy"/>), the client accepts the coding, it has a body
/// that may be transformed (not 1xx, 204, 304, 206 or Content-Range, nor an encoded one, nor
/// <c>Cache-Control: no-transform</c>, nor declared shorter than 128 bytes), and <c>no-gzip</c>
/// is not set: then Content-Encoding is set, Content-Length removed (Kestrel chunks it) and a
/// strong ETag made weak. A response of a
/// type in scope says <c>Vary: Accept-Encoding</c> whether compressed or not (unless
/// <c>dont-vary</c>), so a cache keeps both forms apart. Installed only where the settings
/// compress, so every other request keeps Kestrel's body untouched.
/// </summary>
internal sealed class CompressedResponseBody : IHttpResponseBodyFeature
{
    /// <summary>
    /// A body declared shorter than this goes out as it is (mod_deflate would compress it): the
    /// gzip framing alone is 18 bytes, so "Hello, World!" came out 33 bytes long, and an
    /// encoder's setup (its 256 KB state) costs more than the few bytes it could save.
    /// </summary>
    internal const int MinimumLength = 128;

    private readonly HttpContext _context;
    private readonly IHttpResponseBodyFeature _inner;
    private readonly PerDirSettings _settings;
    private readonly IReadOnlyList<KeyValuePair<string, string?>> _variables;
    private readonly CompressingBodyWriter _writer;
    private CompressedSink? _sink;
    private Stream? _stream;
    private Stream? _encoder;
    private bool _finished;
    private long _encodedInputBytes;

    private readonly string? _filePath;

    private CompressedResponseBody(HttpContext context, IHttpResponseBodyFeature inner, PerDirSettings settings, IReadOnlyList<KeyValuePair<string, string?>> variables, string? filePath)
    {
        _context = context;
        _inner = inner;
        _settings = settings;
        _variables = variables;
        _filePath = filePath;
        _writer = new CompressingBodyWriter(this, inner.Writer);
    }

    /// <summary>
    /// Puts compression in place of the response body for a request whose <paramref name="settings"/>
    /// compress; <paramref name="variables"/> are the request's (no-gzip, no-brotli, dont-vary);
    /// <paramref name="filePath"/> is the file the URL maps to (AddOutputFilter goes by its extension).
    /// </summary>
    public static void Install(HttpContext context, PerDirSettings settings, IReadOnlyList<KeyValuePair<string, string?>> variables, string? filePath)
    {
        if (context.Features.Get<IHttpResponseBodyFeature>() is { } inner)
        {
            context.Features.Set<IHttpResponseBodyFeature>(new CompressedResponseBody(context, inner, settings, variables, filePath));
        }
    }

    public CompressionDecision Decision { get; private set; }

    /// <summary>The coding chosen, once compressing.</summary>
    public ContentCodings Coding { get; private set; }

    /// <summary>The level (gzip) or quality (brotli) it is made at.</summary>
    public int Level { get; private set; }

    /// <summary>The encoder while compressing, made at the first bytes; it writes into the response's pipe.</summary>
    internal Stream Encoder => _encoder ??= CompressedEncoding.Create(_sink!, Coding, Level);

    public Stream Stream => _stream ??= _writer.AsStream(leaveOpen: true);

    public PipeWriter Writer => _writer;

    public void DisableBuffering() => _inner.DisableBuffering();

    public Task StartAsync(CancellationToken cancellationToken = default)
    {
        Decide();
        return _inner.StartAsync(cancellationToken);
    }

    public Task SendFileAsync(string path, long offset, long? count, CancellationToken cancellationToken = default) =>
        Decide() == CompressionDecision.PassThrough
            ? _inner.SendFileAsync(path, offset, count, cancellationToken)
            : SendFileFallback.SendFileAsync(Stream, path, offset, count, cancellationToken);

    public async Task CompleteAsync()
    {
        await FinishAsync().ConfigureAwait(false);
        await _inner.CompleteAsync().ConfigureAwait(false);
    }

    /// <summary>
    /// Ends the body after the handler returned: the encoder's last block and trailer go out and
    /// are flushed. A response nothing was written to is decided now (a HEAD response gets the
    /// headers its GET would have; any other keeps its headers, Vary added for a type in scope).
    /// Returns the body bytes sent, compressed, when compressing, else null.
    /// </summary>
    public async ValueTask<long?> FinishAsync()
    {
        if (Decision == CompressionDecision.Undecided)
        {
            Decide(asIfBodyFollows: HttpMethods.IsHead(_context.Request.Method));
        }
        if (Decision != CompressionDecision.Compressing)
        {
            _writer.Release();
            return null;
        }
        FinishEncoding();
        await _inner.Writer.FlushAsync(_context.RequestAborted).ConfigureAwait(false);
        return _sink!.Written;
    }

    /// <summary>Encodes what is left and the trailer into the pipe (unflushed); once. An empty body still gets its (empty) encoding.</summary>
    internal void FinishEncoding()
    {
        if (Decision == CompressionDecision.Compressing && !_finished)
        {
            _finished = true;
            _writer.Encode();
            Encoder.Dispose();
            _encoder = null;
            _writer.Release();
        }
    }

    /// <summary>
    /// Sends a whole body already encoded with <see cref="Coding"/> at <see cref="Level"/> (a
    /// static file of <paramref name="inputBytes"/> from <see cref="CompressedFileCache"/>) in place of anything written here;
    /// call it right after <see cref="Decide()"/> answered Compressing, before any write.
    /// </summary>
    public async Task SendEncodedAsync(ReadOnlyMemory<byte> encoded, long inputBytes, CancellationToken aborted)
    {
        _finished = true;
        _encodedInputBytes = inputBytes;
        _sink!.Write(encoded.Span);
        await _inner.Writer.FlushAsync(aborted).ConfigureAwait(false);
    }

    /// <summary>
    /// DeflateFilterNote's notes of a compressed response, for the access log (<c>%{name}n</c>):
    /// the body's bytes before and after compression, and after as a whole percentage of before,
    /// as mod_deflate computes it; null when no note is asked for or nothing was compressed.
    /// </summary>
    public IReadOnlyList<KeyValuePair<string, string>>? Notes()
    {
        if (Decision != CompressionDecision.Compressing || _settings.CompressionNotes is not { } names)
        {
            return null;
        }
        long input = _writer.InputBytes + _encodedInputBytes;
        long output = _sink!.Written;
        var notes = new List<KeyValuePair<string, string>>(3);
        if (names.Input != null)
        {
            notes.Add(new(names.Input, input.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        }
        if (names.Output != null)
        {
            notes.Add(new(names.Output, output.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        }
        if (names.Ratio != null)
        {
            notes.Add(new(names.Ratio, input > 0 ? (output * 100 / input).ToString(System.Globalization.CultureInfo.InvariantCulture) : "-"));
        }
        return notes;
    }

    /// <summary>The response failed (the connection is to be cut): the encoder is freed and writes nothing more.</summary>
    public void Abandon()
    {
        if (_sink != null)
        {
            _sink.Discarded = true;
        }
        _finished = true;
        _encoder?.Dispose();
        _encoder = null;
        _writer.Release();
    }

    /// <summary>Decides once, from the response's headers as they are at the first write, flush or start.</summary>
    public CompressionDecision Decide() => Decision == CompressionDecision.Undecided ? Decide(asIfBodyFollows: true) : Decision;

    private CompressionDecision Decide(bool asIfBodyFollows)
    {
        Decision = CompressionDecision.PassThrough;
        HttpResponse response = _context.Response;
        if (response.HasStarted)
        {
            return Decision;
        }
        // mod_headers' filter runs before DEFLATE's: the Header lines' edits are what it decides on.
        _context.Features.Get<Metadata.RequestMetadata>()?.Editor?.Apply();
        int status = response.StatusCode;
        if (status < 200 || status is 204 or 304)
        {
            return Decision;
        }
        ContentCodings offered = OutputCompressionPolicy.CodingsFor(_settings, response.ContentType, _filePath);
        if (offered == ContentCodings.None)
        {
            return Decision;
        }
        IHeaderDictionary headers = response.Headers;
        // As mod_deflate: a range, an encoded body or no-gzip (no-brotli) leave the response as it
        // is, Vary included; past those the response varies by Accept-Encoding, compressed or not.
        if (status == 206 || headers.ContainsKey("Content-Range")
            || (headers.ContentEncoding.Count > 0 && !headers.ContentEncoding.ToString().Equals("identity", StringComparison.OrdinalIgnoreCase)))
        {
            return Decision;
        }
        // gzip-only-text/html: mod_deflate's old-browser switch (BrowserMatch ^Mozilla/4 in its documentation).
        if (Metadata.RequestVariables.IsSet(_variables, "no-gzip")
            || (Metadata.RequestVariables.IsSet(_variables, "gzip-only-text/html") && !IsHtml(response.ContentType)))
        {
            offered &= ~ContentCodings.Gzip;
        }
        if (Metadata.RequestVariables.IsSet(_variables, "no-brotli"))
        {
            offered &= ~ContentCodings.Brotli;
        }
        if (offered == ContentCodings.None)
        {
            return Decision;
        }
        if (!Metadata.RequestVariables.IsSet(_variables, "dont-vary"))
        {
            OutputCompressionPolicy.AddVary(headers);
        }
        if (!asIfBodyFollows || OutputCompressionPolicy.NoTransform(headers.CacheControl) || response.ContentLength < MinimumLength)
        {
            return Decision;
        }
        // force-gzip: gzip whatever Accept-Encoding says, as mod_deflate does.
        ContentCodings coding = (offered & ContentCodings.Gzip) != 0 && Metadata.RequestVariables.IsSet(_variables, "force-gzip")
            ? ContentCodings.Gzip
            : AcceptEncoding.Choose(_context.Request.Headers.AcceptEncoding, offered);
        if (coding == ContentCodings.None)
        {
            return Decision;
        }
        headers.ContentEncoding = coding == ContentCodings.Brotli ? "br" : "gzip";
        response.ContentLength = null;
        OutputCompressionPolicy.WeakenETag(headers);
        if (HttpMethods.IsHead(_context.Request.Method))
        {
            return Decision = CompressionDecision.HeadersOnly;
        }
        _sink = new CompressedSink(_inner.Writer);
        Coding = coding;
        Level = coding == ContentCodings.Brotli
            ? _settings.BrotliCompressionQuality ?? CompressedEncoding.DefaultBrotliQuality
            : _settings.DeflateCompressionLevel ?? CompressedEncoding.DefaultDeflateLevel;
        return Decision = CompressionDecision.Compressing;
    }

    private static bool IsHtml(string? contentType) =>
        contentType != null && contentType.AsSpan().TrimStart().StartsWith("text/html", StringComparison.OrdinalIgnoreCase);
}
