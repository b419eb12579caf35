using System.Buffers;
using System.Buffers.Binary;
using WsgiHost.Daemon;

namespace WsgiHost.Tests.Daemon;

/// <summary>The front/worker frames on byte arrays: round trips, and every malformed input refused before allocating.</summary>
public sealed class DaemonProtocolTests
{
    private static readonly KeyValuePair<string, string>[] Environ =
    [
        new("REQUEST_METHOD", "POST"),
        new("PATH_INFO", "/caf\u00e9"),
        new("HTTP_X_EMPTY", ""),
        new("QUERY_STRING", new string('q', 70_000)),
    ];

    [Fact]
    public void ARequestHeadRoundTripsWithLatin1ValuesAndLongStrings()
    {
        byte[] frame = DaemonProtocol.EncodeRequest(Environ);
        var read = DaemonProtocol.ReadRequest(new MemoryStream(frame));
        Assert.Equal(Environ, read);
    }

    [Fact]
    public void AConnectionsNextHeadTakesAgainTheStringsThatDidNotChange()
    {
        var strings = new FrameStrings();
        KeyValuePair<string, string>[] first = [new("REQUEST_METHOD", "GET"), new("PATH_INFO", "/a"), new("HTTP_X_LATIN", "caf\u00e9"), new("REMOTE_PORT", "40001")];
        KeyValuePair<string, string>[] second = [new("REQUEST_METHOD", "GET"), new("PATH_INFO", "/b"), new("HTTP_X_LATIN", "caf\u00e9"), new("REMOTE_PORT", "40002"), new("HTTP_COOKIE", "a=1")];
        var one = DaemonProtocol.ParseRequest(DaemonProtocol.EncodeRequest(first).AsSpan(4), strings);
        var two = DaemonProtocol.ParseRequest(DaemonProtocol.EncodeRequest(second).AsSpan(4), strings);
        Assert.Equal(first, one);
        Assert.Equal(second, two);
        Assert.Same(one[0].Key, two[0].Key);
        Assert.Same(one[0].Value, two[0].Value);
        Assert.NotSame(one[1].Value, two[1].Value);
        // Not ASCII: decoded again rather than compared byte to char.
        Assert.NotSame(one[2].Value, two[2].Value);
        // Same length, other digits: never mistaken for the previous value.
        Assert.Equal("40002", two[3].Value);
    }

    [Fact]
    public void TheNextResponseHeadOnAConnectionTakesAgainItsUnchangedHeaders()
    {
        var strings = new FrameStrings();
        var one = DaemonProtocol.ParseResponseHead(DaemonProtocol.EncodeResponseHead(200, "OK", [new("Content-Type", "text/html"), new("Content-Length", "120")]).AsSpan(4), strings);
        var two = DaemonProtocol.ParseResponseHead(DaemonProtocol.EncodeResponseHead(404, "OK", [new("Content-Type", "text/html"), new("Content-Length", "9"), new("Vary", "Cookie")]).AsSpan(4), strings);
        Assert.Equal((404, "OK"), (two.Status, two.Reason));
        Assert.Equal([new("Content-Type", "text/html"), new("Content-Length", "9"), new("Vary", "Cookie")], two.Headers);
        Assert.Same(one.Reason, two.Reason);
        Assert.Same(one.Headers[0].Value, two.Headers[0].Value);
    }

    [Fact]
    public void AWorkersErrorPageIsMarkedInItsHeadAndKeepsItsStatus()
    {
        byte[] page = DaemonProtocol.EncodeResponseHead(500, "Internal Server Error", [new("Content-Type", "text/html")], serverErrorPage: true);
        byte[] app = DaemonProtocol.EncodeResponseHead(500, "Internal Server Error", [new("Content-Type", "text/html")]);

        Assert.Equal(500, DaemonProtocol.ParseResponseHead(page.AsSpan(4)).Status);
        Assert.True(DaemonProtocol.IsServerErrorPage(page.AsSpan(4)));
        Assert.False(DaemonProtocol.IsServerErrorPage(app.AsSpan(4)));
    }

    [Fact]
    public async Task HeadsReadIntoAConnectionsBufferOneAfterAnotherParseAsSentLargerOnesIncluded()
    {
        KeyValuePair<string, string>[] small = [new("REQUEST_METHOD", "GET"), new("PATH_INFO", "/a")];
        var stream = new MemoryStream([.. DaemonProtocol.EncodeRequest(small), .. DaemonProtocol.EncodeRequest(Environ), .. DaemonProtocol.EncodeRequest(small)]);
        byte[] buffer = new byte[256];
        var strings = new FrameStrings();
        var first = DaemonProtocol.ParseRequest((await DaemonProtocol.ReadHeadAsync(stream, buffer, CancellationToken.None)).Span, strings);
        // 70 KB: more than the buffer holds, read into an array of its own.
        var second = DaemonProtocol.ParseRequest((await DaemonProtocol.ReadHeadAsync(stream, buffer, CancellationToken.None)).Span, strings);
        var third = DaemonProtocol.ParseRequest((await DaemonProtocol.ReadHeadAsync(stream, buffer, CancellationToken.None)).Span, strings);
        Assert.Equal(small, first);
        Assert.Equal(Environ, second);
        Assert.Equal(small, third);
        Assert.Equal(stream.Length, stream.Position);
    }

    [Fact]
    public void HeadsEncodedIntoAConnectionsBufferAreTheHeadsEncodedAlone()
    {
        byte[] buffer = new byte[512];
        KeyValuePair<string, string>[] small = [new("REQUEST_METHOD", "GET"), new("PATH_INFO", "/caf\u00e9"), new("HTTP_X", "\ud83d\ude00")];
        // In the buffer; then too large for it (a pooled array, handed back); then in the buffer again, with the marker.
        Assert.Equal(DaemonProtocol.EncodeRequest(small, "s"), DaemonProtocol.EncodeRequest(small, "s", false, default, buffer, out byte[]? rented).ToArray());
        Assert.Null(rented);
        ReadOnlyMemory<byte> large = DaemonProtocol.EncodeRequest(Environ, null, false, default, buffer, out rented);
        Assert.Equal(DaemonProtocol.EncodeRequest(Environ), large.ToArray());
        Assert.NotNull(rented);
        Assert.NotSame(buffer, rented);
        var read = DaemonProtocol.EncodeRequest(small, "s", true, default, buffer, out rented);
        Assert.Null(rented);
        var stream = new MemoryStream(read.ToArray());
        Assert.Equal([new("REQUEST_METHOD", "GET"), new("PATH_INFO", "/caf\u00e9"), new("HTTP_X", "??"), new(DaemonKeys.BodyComplete, "1"), new(DaemonKeys.Secret, "s")], DaemonProtocol.ReadRequest(stream));
        Assert.Equal(0u, DaemonProtocol.ReadChunkHeader(stream));
        Assert.Equal(stream.Length, stream.Position);
    }

    [Fact]
    public void AShorterHeadAfterALongerOneReadsOnlyItsOwnStrings()
    {
        var strings = new FrameStrings();
        KeyValuePair<string, string>[] longer = [new("A", "1"), new("B", "2"), new("C", "3")];
        KeyValuePair<string, string>[] shorter = [new("C", "3")];
        DaemonProtocol.ParseRequest(DaemonProtocol.EncodeRequest(longer).AsSpan(4), strings);
        Assert.Equal(shorter, DaemonProtocol.ParseRequest(DaemonProtocol.EncodeRequest(shorter).AsSpan(4), strings));
        Assert.Equal(longer, DaemonProtocol.ParseRequest(DaemonProtocol.EncodeRequest(longer).AsSpan(4), strings));
    }

    [Fact]
    public void TheFrontsHeadCarriesTheSecretLastAndABodilessRequestsMarks()
    {
        var stream = new MemoryStream(DaemonProtocol.EncodeRequest(Environ, "s3cret", endOfBody: true));
        var read = DaemonProtocol.ReadRequest(stream);
        // Marked as complete (the worker then sends its accept byte with the response), then the secret, then the end-of-body marker.
        Assert.Equal([.. Environ, new(DaemonKeys.BodyComplete, "1"), new(DaemonKeys.Secret, "s3cret")], read);
        Assert.Equal(0u, DaemonProtocol.ReadChunkHeader(stream));
        Assert.Equal(stream.Length, stream.Position);
    }

    [Fact]
    public async Task ABodilessRequestsWholeBodyIsEmptyAndEndsRightAfterItsHead()
    {
        var stream = new MemoryStream(DaemonProtocol.EncodeRequest(Environ, "s3cret", endOfBody: true));
        DaemonProtocol.ReadRequest(stream);
        Assert.Empty(await DaemonProtocol.ReadWholeBodyAsync(stream));
        Assert.Equal(stream.Length, stream.Position);
    }

    [Fact]
    public async Task AWholeBodyFromSeveralSegmentsComesAfterItsHeadAsOneChunkAndTheEndMarker()
    {
        // Kestrel's pipe hands a body over in segments; the frame carries it as one chunk.
        var first = new Segment("hello, "u8.ToArray());
        Segment last = first.Append("world"u8.ToArray());
        var body = new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
        var stream = new MemoryStream(DaemonProtocol.EncodeRequest(Environ, "s3cret", body));
        Assert.Equal([.. Environ, new(DaemonKeys.BodyComplete, "1"), new(DaemonKeys.Secret, "s3cret")], DaemonProtocol.ReadRequest(stream));
        long afterHead = stream.Position;
        Assert.Equal(12u, DaemonProtocol.ReadChunkHeader(stream));
        stream.Position = afterHead;
        Assert.Equal("hello, world"u8.ToArray(), await DaemonProtocol.ReadWholeBodyAsync(stream));
        Assert.Equal(stream.Length, stream.Position);
    }

    [Fact]
    public async Task AWholeBodyBeyondItsBoundIsAMalformedFrameAndTheEncoderRefusesToWriteOne()
    {
        var stream = new MemoryStream();
        DaemonProtocol.WriteChunk(stream, new byte[DaemonProtocol.MaxWholeBody]);
        DaemonProtocol.WriteChunk(stream, "x"u8);
        stream.Position = 0;
        await Assert.ThrowsAsync<InvalidDataException>(() => DaemonProtocol.ReadWholeBodyAsync(stream));
        Assert.Throws<ArgumentException>(() => DaemonProtocol.EncodeRequest(Environ, null, new ReadOnlySequence<byte>(new byte[DaemonProtocol.MaxWholeBody + 1])));
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(byte[] data) => Memory = data;

        public Segment Append(byte[] data)
        {
            var next = new Segment(data) { RunningIndex = RunningIndex + Memory.Length };
            Next = next;
            return next;
        }
    }

    [Fact]
    public void AResponseHeadAndBodyChunksRoundTrip()
    {
        var stream = new MemoryStream();
        stream.Write(DaemonProtocol.EncodeResponseHead(201, "Created", [new("Content-Type", "text/plain"), new("X-A", "1")]));
        DaemonProtocol.WriteChunk(stream, "hello "u8);
        DaemonProtocol.WriteChunk(stream, "world"u8);
        DaemonProtocol.WriteMarker(stream, DaemonProtocol.End);
        stream.Position = 0;

        var (status, reason, headers) = DaemonProtocol.ParseResponseHead(DaemonProtocol.ReadHead(stream));
        Assert.Equal((201, "Created"), (status, reason));
        Assert.Equal([new("Content-Type", "text/plain"), new("X-A", "1")], headers);
        var body = new MemoryStream();
        while (true)
        {
            uint n = DaemonProtocol.ReadChunkHeader(stream);
            if (n == DaemonProtocol.End)
            {
                break;
            }
            byte[] chunk = new byte[n];
            DaemonProtocol.ReadExactly(stream, chunk);
            body.Write(chunk);
        }
        Assert.Equal("hello world"u8.ToArray(), body.ToArray());
    }

    [Fact]
    public void AnAbortCarriesItsReason()
    {
        var stream = new MemoryStream();
        DaemonProtocol.WriteAbort(stream, "generator raised");
        stream.Position = 0;
        Assert.Equal(DaemonProtocol.Abort, DaemonProtocol.ReadChunkHeader(stream));
        Assert.Equal("generator raised", DaemonProtocol.ReadAbortMessage(stream));
    }

    [Fact]
    public void EveryTruncationOfAFrameIsAnErrorNeverAShortRead()
    {
        byte[] frame = DaemonProtocol.EncodeRequest(Environ[..3]);
        for (int length = 0; length < frame.Length; length++)
        {
            Exception e = Assert.ThrowsAny<Exception>(() => DaemonProtocol.ReadRequest(new MemoryStream(frame[..length])));
            Assert.True(e is EndOfStreamException or InvalidDataException, e.ToString());
        }
    }

    [Fact]
    public void HugeDeclaredLengthsAreRefusedBeforeAllocating()
    {
        byte[] prefix = new byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(prefix, uint.MaxValue - 7);
        Assert.Throws<InvalidDataException>(() => DaemonProtocol.ReadHead(new MemoryStream(prefix)));

        byte[] chunk = new byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(chunk, DaemonProtocol.MaxChunk + 1);
        Assert.Throws<InvalidDataException>(() => DaemonProtocol.ReadChunkHeader(new MemoryStream(chunk)));

        // A head that claims more entries than allowed.
        byte[] frame = DaemonProtocol.EncodeRequest([]);
        BinaryPrimitives.WriteUInt32LittleEndian(frame.AsSpan(9), DaemonProtocol.MaxEnvironEntries + 1);
        Assert.Throws<InvalidDataException>(() => DaemonProtocol.ReadRequest(new MemoryStream(frame)));
    }

    [Fact]
    public void RandomBytesNeverCrashTheReaderOrAllocateWildly()
    {
        var random = new Random(20261202);
        for (int i = 0; i < 2000; i++)
        {
            byte[] bytes = new byte[random.Next(0, 64)];
            random.NextBytes(bytes);
            if (i % 2 == 0 && bytes.Length >= 9)
            {
                // Plausible prefix and magic, random rest: exercises the inner bounds.
                BinaryPrimitives.WriteUInt32LittleEndian(bytes, (uint)(bytes.Length - 4));
                "WSGQ"u8.CopyTo(bytes.AsSpan(4));
                bytes[8] = DaemonProtocol.Version;
            }
            try
            {
                DaemonProtocol.ReadRequest(new MemoryStream(bytes));
            }
            catch (Exception e) when (e is EndOfStreamException or InvalidDataException)
            {
                // Refused: the only two outcomes a malformed frame may have.
            }
        }
    }

    // Found by DaemonFrameFuzzTests: the decoder refused what the encoder wrote, so the worker
    // dropped the request (or the front answered 502) for an app's long reason phrase or header
    // name, or a request with many or long header names.
    [Fact]
    public void LongReasonPhrasesHeaderNamesAndManyHeadersRoundTrip()
    {
        string reason = new('r', 2000);
        KeyValuePair<string, string>[] headers = [new(new string('X', 2000), "v"), .. Enumerable.Range(0, 1500).Select(i => new KeyValuePair<string, string>($"X-{i}", "1"))];
        var stream = new MemoryStream(DaemonProtocol.EncodeResponseHead(200, reason, headers));
        var (status, readReason, readHeaders) = DaemonProtocol.ParseResponseHead(DaemonProtocol.ReadHead(stream));
        Assert.Equal((200, reason), (status, readReason));
        Assert.Equal(headers, readHeaders);

        KeyValuePair<string, string>[] environ = [new("HTTP_" + new string('N', 3000), "v"), .. Enumerable.Range(0, 5000).Select(i => new KeyValuePair<string, string>($"HTTP_X_{i}", "1"))];
        Assert.Equal(environ, DaemonProtocol.ReadRequest(new MemoryStream(DaemonProtocol.EncodeRequest(environ))));
    }

    [Fact]
    public void TheEncoderRefusesWhatTheDecoderWouldAndNeverWrapsACount()
    {
        // Was written as (ushort)70000 = 4464 headers: a frame that decodes to garbage.
        var tooMany = Enumerable.Range(0, 70_000).Select(i => new KeyValuePair<string, string>("X", "1")).ToList();
        Assert.Throws<ArgumentException>(() => DaemonProtocol.EncodeResponseHead(200, "OK", tooMany));
        Assert.Throws<ArgumentException>(() => DaemonProtocol.EncodeRequest([new("K", new string('v', DaemonProtocol.MaxValueLength + 1))]));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(99)]
    [InlineData(1000)]
    [InlineData(65535)]
    public void AResponseStatusTheFrontCannotSendIsRefused(int status)
    {
        byte[] frame = DaemonProtocol.EncodeResponseHead(200, "OK", []);
        BinaryPrimitives.WriteUInt16LittleEndian(frame.AsSpan(8), (ushort)status);
        Assert.Throws<InvalidDataException>(() => DaemonProtocol.ParseResponseHead(DaemonProtocol.ReadHead(new MemoryStream(frame))));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(65536)]
    [InlineData(DaemonProtocol.MaxChunk)]
    [InlineData(DaemonProtocol.MaxChunk * 2 + 5)]
    public void AChunkWrittenAfterItsReservedHeaderReadsBackAsTheData(int length)
    {
        byte[] data = new byte[length];
        new Random(length).NextBytes(data);
        byte[] frame = [0, 0, 0, 0, .. data];
        var reserved = new MemoryStream();
        DaemonProtocol.WriteChunk(reserved, frame, length);
        var plain = new MemoryStream();
        DaemonProtocol.WriteChunk(plain, data);
        Assert.Equal(plain.ToArray(), reserved.ToArray());

        reserved.Position = 0;
        var read = new MemoryStream();
        while (reserved.Position < reserved.Length)
        {
            uint n = DaemonProtocol.ReadChunkHeader(reserved);
            Assert.InRange(n, 1u, (uint)DaemonProtocol.MaxChunk);
            byte[] piece = new byte[n];
            reserved.ReadExactly(piece);
            read.Write(piece);
        }
        Assert.Equal(data, read.ToArray());
    }
}
