using System.Text;
using WsgiHost.Daemon;
using Xunit.Abstractions;

namespace WsgiHost.Tests.Fuzzing;

/// <summary>
/// The daemon frame codec on generated frames: everything the encoder accepts decodes to what
/// was encoded, and any mutation of a valid frame (flipped bytes, truncation, oversized lengths)
/// is refused with <see cref="InvalidDataException"/> or <see cref="EndOfStreamException"/>,
/// the two exceptions the front and the worker handle, or decodes to values they can use.
/// </summary>
public sealed class DaemonFrameFuzzTests(ITestOutputHelper output)
{
    [Fact]
    public void RequestFramesRoundTripAndMutationsAreRefusedCleanly()
    {
        FuzzRun.Run(output, "daemon request frames", 3000, TimeSpan.FromSeconds(4),
            random => Environ(random),
            environ =>
            {
                // The only refusal of the encoder: a head over the bound the decoder checks first.
                if (5 + 4 + environ.Sum(e => 6L + e.Key.Length + e.Value.Length) > DaemonProtocol.MaxEnvironBytes)
                {
                    Assert.Throws<ArgumentException>(() => DaemonProtocol.EncodeRequest(environ));
                    return;
                }
                byte[] frame = DaemonProtocol.EncodeRequest(environ);
                Assert.Equal(environ, DaemonProtocol.ReadRequest(new MemoryStream(frame)));
                Refused(() => DaemonProtocol.ReadRequest(new MemoryStream(Mutator.Bytes(new Random(frame.Length ^ environ.Count), frame))));
            },
            environ => $"{environ.Count} entries: {string.Join(", ", environ.Take(20).Select(e => $"{e.Key.Length}:{e.Value.Length}"))}");
    }

    [Fact]
    public void ResponseHeadsRoundTripAndMutationsAreRefusedCleanly()
    {
        FuzzRun.Run(output, "daemon response heads", 3000, TimeSpan.FromSeconds(4),
            random => (Status: random.Next(100, 1000), Reason: Latin1(random, Length(random, 3000)), Headers: Headers(random), Mutation: random.Next()),
            input =>
            {
                if (4 + 2 + 2 + input.Reason.Length + 2 + input.Headers.Sum(h => 6L + h.Key.Length + h.Value.Length) > DaemonProtocol.MaxEnvironBytes)
                {
                    Assert.Throws<ArgumentException>(() => DaemonProtocol.EncodeResponseHead(input.Status, input.Reason, input.Headers));
                    return;
                }
                byte[] frame = DaemonProtocol.EncodeResponseHead(input.Status, input.Reason, input.Headers);
                var (status, reason, headers) = DaemonProtocol.ParseResponseHead(DaemonProtocol.ReadHead(new MemoryStream(frame)));
                Assert.Equal((input.Status, input.Reason), (status, reason));
                Assert.Equal(input.Headers, headers);
                Refused(() =>
                {
                    var head = DaemonProtocol.ParseResponseHead(DaemonProtocol.ReadHead(new MemoryStream(Mutator.Bytes(new Random(input.Mutation), frame))));
                    // A decoded head is one the front can answer with.
                    Assert.InRange(head.Status, 100, 999);
                });
            },
            input => $"status {input.Status}, reason of {input.Reason.Length}, {input.Headers.Count} headers");
    }

    [Fact]
    public void BodyStreamsRoundTripAndMutationsAreRefusedCleanly()
    {
        FuzzRun.Run(output, "daemon body chunks", 3000, TimeSpan.FromSeconds(4),
            random =>
            {
                var chunks = Enumerable.Range(0, random.Next(0, 6)).Select(_ => Bytes(random, Length(random, 20_000))).ToArray();
                string? abort = random.Next(3) == 0 ? Latin1(random, Length(random, 2000)) : null;
                return (Chunks: chunks, Abort: abort, Mutation: random.Next());
            },
            input =>
            {
                var stream = new MemoryStream();
                foreach (byte[] chunk in input.Chunks)
                {
                    DaemonProtocol.WriteChunk(stream, chunk);
                }
                if (input.Abort != null)
                {
                    DaemonProtocol.WriteAbort(stream, input.Abort);
                }
                else
                {
                    DaemonProtocol.WriteMarker(stream, DaemonProtocol.End);
                }
                byte[] frame = stream.ToArray();
                var (body, message) = ReadBody(new MemoryStream(frame));
                Assert.True(input.Chunks.SelectMany(c => c).ToArray().AsSpan().SequenceEqual(body), "the body changed on its way through the codec");
                Assert.Equal(input.Abort?[..Math.Min(input.Abort.Length, DaemonProtocol.MaxKeyLength)], message);
                Refused(() => ReadBody(new MemoryStream(Mutator.Bytes(new Random(input.Mutation), frame))));
            },
            input => $"{input.Chunks.Length} chunks, abort {input.Abort?.Length}");
    }

    [Fact]
    public void RandomBytesAreRefusedCleanlyAsAnyFrame()
    {
        FuzzRun.Run(output, "daemon random bytes", 3000, TimeSpan.FromSeconds(3),
            random => Bytes(random, Length(random, 200)),
            bytes =>
            {
                Refused(() => DaemonProtocol.ReadRequest(new MemoryStream(bytes)));
                Refused(() => DaemonProtocol.ParseResponseHead(DaemonProtocol.ReadHead(new MemoryStream(bytes))));
                Refused(() => ReadBody(new MemoryStream(bytes)));
            },
            bytes => Convert.ToHexString(bytes));
    }

    /// <summary>How the front reads a response body: chunks until End, or Abort and its message.</summary>
    private static (byte[] Body, string? Abort) ReadBody(Stream stream)
    {
        var body = new MemoryStream();
        while (true)
        {
            uint n = DaemonProtocol.ReadChunkHeader(stream);
            if (n == DaemonProtocol.End)
            {
                return (body.ToArray(), null);
            }
            if (n == DaemonProtocol.Abort)
            {
                return (body.ToArray(), DaemonProtocol.ReadAbortMessage(stream));
            }
            byte[] chunk = new byte[n];
            DaemonProtocol.ReadExactly(stream, chunk);
            body.Write(chunk);
        }
    }

    /// <summary>Either decodes or throws one of the exceptions the codec's callers handle.</summary>
    private static void Refused(Action decode)
    {
        try
        {
            decode();
        }
        catch (Exception e) when (e is InvalidDataException or EndOfStreamException)
        {
        }
    }

    /// <summary>Mostly short, sometimes at or beyond the codec's bounds.</summary>
    private static int Length(Random random, int max) => random.Next(10) switch
    {
        0 => max,
        1 => random.Next(max + 1),
        _ => random.Next(Math.Min(max, 40) + 1),
    };

    private static byte[] Bytes(Random random, int length)
    {
        byte[] bytes = new byte[length];
        random.NextBytes(bytes);
        return bytes;
    }

    private static string Latin1(Random random, int length) => Encoding.Latin1.GetString(Bytes(random, length));

    private static List<KeyValuePair<string, string>> Environ(Random random) =>
        [.. Enumerable.Range(0, random.Next(100) == 0 ? random.Next(2000) : random.Next(40))
            .Select(_ => new KeyValuePair<string, string>(Latin1(random, Length(random, 1100)), Latin1(random, Length(random, 2000))))];

    private static List<KeyValuePair<string, string>> Headers(Random random) =>
        [.. Enumerable.Range(0, random.Next(100) == 0 ? random.Next(1500) : random.Next(20))
            .Select(_ => new KeyValuePair<string, string>(Latin1(random, Length(random, 2000)), Latin1(random, Length(random, 2000))))];
}
