using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace WsgiHost.Daemon;

/// <summary>
/// The frames between the front and a daemon worker over a Unix stream socket, one request
/// per connection. Every length is checked against a bound before anything is allocated for
/// it, so a corrupt or hostile frame ends the connection instead of exhausting memory.
/// <code>
/// request:  u32 frameLen | "WSGQ" u8 version | u32 count | count x (u16 keyLen key | u32 valueLen value)   (latin-1)
///           then body chunks: u32 length data ... u32 0 (end of body); a chunk may instead be in
///           shared memory: u32 SlotChunk u32 slot u32 length (after u32 SlotsAttached, once a connection)
/// response: u32 frameLen | "WSGR" u16 status | u16 reasonLen reason | u16 count | count x (u16 nameLen name | u32 valueLen value)
///           then body chunks: u32 length data ... u32 End (complete) or u32 Abort u32 len message (incomplete)
/// </code>
/// The worker answers a request with one byte first: <see cref="Accepted"/> once it takes it,
/// or <see cref="NotTaken"/>. For a request whose body the front streams, Accepted comes before
/// the body flows (so a request that is not taken still has its body and can go elsewhere); for
/// one sent whole with its head (<see cref="DaemonKeys.BodyComplete"/>: no body, or a small one the
/// front has already read), it goes out with the response head, in one write.
/// Heads carry their length first, so a reader can fetch a whole head asynchronously and parse
/// it from memory.
/// Strings are latin-1: WSGI's native strings, byte for byte.
/// </summary>
internal static class DaemonProtocol
{
    public const byte Version = 1;

    /// <summary>Body chunk marker: the response ended normally.</summary>
    public const uint End = 0xFFFF_FFFF;

    /// <summary>Body chunk marker: the response failed after it started (a message follows).</summary>
    public const uint Abort = 0xFFFF_FFFE;

    /// <summary>
    /// Request body marker: a chunk in shared memory (<see cref="BodySlots"/>); a u32 slot number
    /// and a u32 length follow, the bytes are in that slot.
    /// </summary>
    public const uint SlotChunk = 0xFFFF_FFFD;

    /// <summary>
    /// Request body marker, once on a connection, before its first <see cref="SlotChunk"/>: the
    /// connection's shared memory is passed with it (SCM_RIGHTS on its first byte).
    /// </summary>
    public const uint SlotsAttached = 0xFFFF_FFFC;

    /// <summary>A <see cref="SlotChunk"/> on the wire: the marker, the slot, the length.</summary>
    public const int SlotChunkBytes = 12;

    /// <summary>
    /// The byte a worker sends once it has taken a request: before the front sends the body,
    /// or, for a request without one, with the response head. For a request with a body, a
    /// connection that ends before it was never taken (no application code has seen it).
    /// </summary>
    public const byte Accepted = 0x01;

    /// <summary>
    /// The byte a worker sends on a connection it closes between requests (it is stopping:
    /// maximum-requests, a changed script, restart-interval): a request the front sent there, or
    /// sends later, was not taken and may go elsewhere. A connection that ends without it after a
    /// request without a body was sent may have run it (the worker died): a 502, never a retry.
    /// </summary>
    public const byte NotTaken = 0x02;

    // The decoder accepts everything the encoder writes (the fuzz tests check it): a bound
    // tighter than the wire format let an app's long header name or reason phrase, or a
    // request with many headers, pass the encoder and then fail as a "malformed frame" (502).
    // What bounds memory is the head's length (MaxEnvironBytes), checked before anything is read.

    /// <summary>Environ entries in a request: beyond Apache's largest LimitRequestFields (32767) plus the CGI variables.</summary>
    public const int MaxEnvironEntries = ushort.MaxValue;

    /// <summary>An abort message (a log line, cut to this length by the writer).</summary>
    public const int MaxKeyLength = 1024;

    /// <summary>u16-length strings (environ keys, the reason phrase, header names) are bounded by their width alone.</summary>
    public const int MaxNameLength = ushort.MaxValue;

    public const int MaxValueLength = 1024 * 1024;
    public const int MaxEnvironBytes = 16 * 1024 * 1024;
    public const int MaxHeaders = ushort.MaxValue;
    public const int MaxChunk = 1024 * 1024;

    /// <summary>The most body a request marked <see cref="DaemonKeys.BodyComplete"/> may carry (the front sends at most <see cref="Server.WsgiDispatch.BufferedBodyStart"/>).</summary>
    public const int MaxWholeBody = 1024 * 1024;

    /// <summary>A body chunk's header: its length, 4 bytes little-endian.</summary>
    public const int ChunkHeaderBytes = 4;

    private static ReadOnlySpan<byte> RequestMagic => "WSGQ"u8;

    private static ReadOnlySpan<byte> ResponseMagic => "WSGR"u8;

    /// <summary>A request head, and what the front sends with it, in one new array.</summary>
    /// <param name="secret">The group's secret, sent as the last entry (<see cref="DaemonKeys.Secret"/>), or null.</param>
    /// <param name="endOfBody">Appends the end-of-body marker after the head, so a request without a body goes out in one write, and marks it (<see cref="DaemonKeys.BodyComplete"/>).</param>
    public static byte[] EncodeRequest(IReadOnlyList<KeyValuePair<string, string>> environ, string? secret = null, bool endOfBody = false) =>
        EncodeRequest(environ, secret, endOfBody, ReadOnlySequence<byte>.Empty, [], out _, out _); // never fits: a new array of exactly the frame's size

    /// <summary>A request head followed by its whole body (one chunk, then the end-of-body marker), marked <see cref="DaemonKeys.BodyComplete"/>, in one new array.</summary>
    public static byte[] EncodeRequest(IReadOnlyList<KeyValuePair<string, string>> environ, string? secret, ReadOnlySequence<byte> wholeBody) =>
        EncodeRequest(environ, secret, true, wholeBody, [], out _, out _);

    /// <summary>
    /// A request head and, when <paramref name="bodyComplete"/>, the whole body after it (one
    /// chunk unless it is empty, then the end-of-body marker), marked
    /// <see cref="DaemonKeys.BodyComplete"/>: what the front sends in one write. Into
    /// <paramref name="buffer"/> when the frame fits there (a connection's own, reused request
    /// after request: each head is written to the socket before the next is encoded), else into
    /// an array from <see cref="ArrayPool{T}.Shared"/>, handed out as <paramref name="rented"/>
    /// for the caller to return once it is written.
    /// </summary>
    public static ReadOnlyMemory<byte> EncodeRequest(IReadOnlyList<KeyValuePair<string, string>> environ, string? secret, bool bodyComplete, in ReadOnlySequence<byte> body, byte[] buffer, out byte[]? rented)
    {
        byte[] frame = EncodeRequest(environ, secret, bodyComplete, body, buffer, out int length, out bool pooled);
        rented = pooled ? frame : null;
        return frame.AsMemory(0, length);
    }

    private static byte[] EncodeRequest(IReadOnlyList<KeyValuePair<string, string>> environ, string? secret, bool bodyComplete, in ReadOnlySequence<byte> body, byte[] buffer, out int length, out bool rented)
    {
        // Sized first (from the strings' lengths), then written in place: no per-string byte[],
        // no copy of the environ to add the secret or of the head to add the body.
        int entries = environ.Count + (secret == null ? 0 : 1) + (bodyComplete ? 1 : 0);
        if (entries > MaxEnvironEntries)
        {
            throw new ArgumentException($"{entries} environ entries, more than the daemon protocol's {MaxEnvironEntries}");
        }
        if (body.Length > (bodyComplete ? MaxWholeBody : 0))
        {
            throw new ArgumentException($"a body of {body.Length} bytes sent with its head, more than the daemon protocol's {MaxWholeBody}");
        }
        int head = 4 + RequestMagic.Length + 1 + 4 + SizeOfPairs(environ) + (secret == null ? 0 : Size16(DaemonKeys.Secret) + Size32(secret))
            + (bodyComplete ? Size16(DaemonKeys.BodyComplete) + Size32("1") : 0);
        if (head - 4 > MaxEnvironBytes)
        {
            throw new ArgumentException($"a frame head of {head - 4} bytes, more than the daemon protocol's {MaxEnvironBytes}");
        }
        int bodyBytes = (int)body.Length;
        length = head + (bodyComplete ? (bodyBytes > 0 ? ChunkHeaderBytes + bodyBytes : 0) + ChunkHeaderBytes : 0);
        // No buffer given (the overloads that return a new array): exactly the frame's size.
        rented = buffer.Length > 0 && length > buffer.Length;
        var frame = new FrameWriter(length <= buffer.Length ? buffer : rented ? ArrayPool<byte>.Shared.Rent(length) : new byte[length]);
        frame.U32((uint)(head - 4));
        frame.Bytes(RequestMagic);
        frame.U8(Version);
        frame.U32((uint)entries);
        frame.Pairs(environ);
        if (bodyComplete)
        {
            frame.String16(DaemonKeys.BodyComplete);
            frame.String32("1");
        }
        if (secret != null)
        {
            frame.String16(DaemonKeys.Secret);
            frame.String32(secret);
        }
        if (bodyComplete)
        {
            if (bodyBytes > 0)
            {
                frame.U32((uint)bodyBytes);
                frame.Bytes(body);
            }
            frame.U32(0);
        }
        return frame.Done(length);
    }

    /// <summary>
    /// Reads the whole body of a request marked <see cref="DaemonKeys.BodyComplete"/>: its chunks
    /// up to the end-of-body marker, at most <see cref="MaxWholeBody"/> bytes in all. Empty when
    /// the marker comes first (a request without a body).
    /// </summary>
    /// <exception cref="InvalidDataException">More than <see cref="MaxWholeBody"/> bytes, or a response marker.</exception>
    public static async Task<byte[]> ReadWholeBodyAsync(Stream stream)
    {
        byte[] header = new byte[ChunkHeaderBytes];
        byte[] body = [];
        while (true)
        {
            await stream.ReadExactlyAsync(header).ConfigureAwait(false);
            uint n = BinaryPrimitives.ReadUInt32LittleEndian(header);
            if (n == 0)
            {
                return body;
            }
            if (n > MaxWholeBody - body.Length)
            {
                throw new InvalidDataException($"a request marked as complete is followed by more than {MaxWholeBody} bytes of body");
            }
            int at = body.Length;
            Array.Resize(ref body, at + (int)n);
            await stream.ReadExactlyAsync(body.AsMemory(at)).ConfigureAwait(false);
        }
    }

    /// <summary>Reads a head's length: bounded, so a corrupt prefix cannot make us allocate gigabytes.</summary>
    public static int HeadLength(ReadOnlySpan<byte> prefix)
    {
        uint length = BinaryPrimitives.ReadUInt32LittleEndian(prefix);
        if (length > MaxEnvironBytes || length < 5)
        {
            throw new InvalidDataException($"a frame head of {length} bytes (at most {MaxEnvironBytes})");
        }
        return (int)length;
    }

    /// <summary>Reads a whole head (its length, then its bytes) into memory.</summary>
    public static byte[] ReadHead(Stream stream)
    {
        Span<byte> prefix = stackalloc byte[4];
        ReadExactly(stream, prefix);
        byte[] head = new byte[HeadLength(prefix)];
        ReadExactly(stream, head);
        return head;
    }

    /// <summary>Reads a request head; throws <see cref="InvalidDataException"/> for anything malformed or too large.</summary>
    public static List<KeyValuePair<string, string>> ReadRequest(Stream connection) => ParseRequest(ReadHead(connection));

    /// <summary>
    /// As <see cref="ReadHead"/>, without blocking a thread, into <paramref name="buffer"/> when the
    /// head fits (a connection's own, reused head after head: the parsed head keeps no reference
    /// to its bytes), else into a new array. The buffer takes the 4-byte length first, so it has
    /// at least 4 bytes.
    /// </summary>
    public static async Task<ReadOnlyMemory<byte>> ReadHeadAsync(Stream stream, byte[] buffer, CancellationToken cancel)
    {
        await stream.ReadExactlyAsync(buffer.AsMemory(0, 4), cancel).ConfigureAwait(false);
        int length = HeadLength(buffer);
        Memory<byte> head = length <= buffer.Length ? buffer.AsMemory(0, length) : new byte[length];
        await stream.ReadExactlyAsync(head, cancel).ConfigureAwait(false);
        return head;
    }

    /// <summary>Parses a request head read with <see cref="ReadHeadAsync(Stream, byte[], CancellationToken)"/>.</summary>
    /// <param name="previous">The connection's strings of its previous head, taken again where the bytes are the same; null decodes every string.</param>
    public static List<KeyValuePair<string, string>> ParseRequest(ReadOnlySpan<byte> head, FrameStrings? previous = null)
    {
        var frame = new FrameReader(head);
        ReadOnlySpan<byte> magic = frame.Bytes(5);
        if (!magic[..4].SequenceEqual(RequestMagic) || magic[4] != Version)
        {
            throw new InvalidDataException("not a WsgiHost request frame (wrong magic or version)");
        }
        uint count = frame.U32();
        if (count > MaxEnvironEntries)
        {
            throw new InvalidDataException($"request frame has {count} environ entries, more than {MaxEnvironEntries}");
        }
        var environ = new List<KeyValuePair<string, string>>((int)count);
        long total = 0;
        for (int i = 0; i < count; i++)
        {
            string key = frame.String(frame.U16(), MaxNameLength, previous, 2 * i);
            string value = frame.String(frame.U32(), MaxValueLength, previous, 2 * i + 1);
            total += key.Length + value.Length;
            if (total > MaxEnvironBytes)
            {
                throw new InvalidDataException($"request frame is larger than {MaxEnvironBytes} bytes");
            }
            environ.Add(new(key, value));
        }
        return environ;
    }

    /// <summary>
    /// The status field's high bit: the response is the server's own error page (the app failed),
    /// not one the app made, so the front applies only Header lines with <c>always</c> to it.
    /// Statuses take three digits, so the bit is never part of one.
    /// </summary>
    private const int ServerErrorPageBit = 0x8000;

    /// <param name="serverErrorPage">The response is the worker's error page for a failed app, not the app's response.</param>
    public static byte[] EncodeResponseHead(int status, string reason, IReadOnlyList<KeyValuePair<string, string>> headers, bool serverErrorPage = false)
    {
        if (headers.Count > MaxHeaders)
        {
            throw new ArgumentException($"{headers.Count} response headers, more than the daemon protocol's {MaxHeaders}");
        }
        int size = 4 + ResponseMagic.Length + 2 + Size16(reason) + 2 + SizeOfPairs(headers);
        if (size - 4 > MaxEnvironBytes)
        {
            throw new ArgumentException($"a frame head of {size - 4} bytes, more than the daemon protocol's {MaxEnvironBytes}");
        }
        var frame = new FrameWriter(new byte[size]);
        frame.U32((uint)(size - 4));
        frame.Bytes(ResponseMagic);
        frame.U16((ushort)(status | (serverErrorPage ? ServerErrorPageBit : 0)));
        frame.String16(reason);
        frame.U16((ushort)headers.Count);
        frame.Pairs(headers);
        return frame.Done();
    }

    /// <summary>Whether a response head (as <see cref="ParseResponseHead"/> takes it) is the worker's own error page.</summary>
    public static bool IsServerErrorPage(ReadOnlySpan<byte> head) =>
        head.Length >= 6 && (System.Buffers.Binary.BinaryPrimitives.ReadUInt16LittleEndian(head[4..]) & ServerErrorPageBit) != 0;

    /// <summary>Parses a response head read with <see cref="ReadHeadAsync(Stream, byte[], CancellationToken)"/>.</summary>
    /// <param name="previous">The connection's strings of its previous response head, taken again where the bytes are the same; null decodes every string.</param>
    public static (int Status, string Reason, List<KeyValuePair<string, string>> Headers) ParseResponseHead(ReadOnlySpan<byte> head, FrameStrings? previous = null)
    {
        var frame = new FrameReader(head);
        if (!frame.Bytes(4).SequenceEqual(ResponseMagic))
        {
            throw new InvalidDataException("not a WsgiHost response frame");
        }
        int status = frame.U16() & ~ServerErrorPageBit;
        if (status is < 100 or > 999)
        {
            // The front sets it as the response status, which takes three digits only.
            throw new InvalidDataException($"response frame has status {status}");
        }
        string reason = frame.String(frame.U16(), MaxNameLength, previous, 0);
        int count = frame.U16();
        if (count > MaxHeaders)
        {
            throw new InvalidDataException($"response frame has {count} headers, more than {MaxHeaders}");
        }
        var headers = new List<KeyValuePair<string, string>>(count);
        for (int i = 0; i < count; i++)
        {
            string name = frame.String(frame.U16(), MaxNameLength, previous, 1 + 2 * i);
            headers.Add(new(name, frame.String(frame.U32(), MaxValueLength, previous, 2 + 2 * i)));
        }
        return (status, reason, headers);
    }

    /// <summary>Writes one body chunk (length then bytes); an empty span writes nothing.</summary>
    public static void WriteChunk(Stream stream, ReadOnlySpan<byte> data)
    {
        Span<byte> length = stackalloc byte[ChunkHeaderBytes];
        while (data.Length > 0)
        {
            int n = Math.Min(data.Length, MaxChunk);
            BinaryPrimitives.WriteUInt32LittleEndian(length, (uint)n);
            stream.Write(length);
            stream.Write(data[..n]);
            data = data[n..];
        }
    }

    /// <summary>
    /// As <see cref="WriteChunk(Stream, ReadOnlySpan{byte})"/>, for <paramref name="length"/> bytes
    /// that follow <see cref="ChunkHeaderBytes"/> kept free at the start of <paramref name="frame"/>:
    /// the header is written there, so a chunk goes out in one write (a buffered stream copies a
    /// large write into its shadow array when a small one precedes it).
    /// </summary>
    public static void WriteChunk(Stream stream, byte[] frame, int length)
    {
        if (length > MaxChunk)
        {
            WriteChunk(stream, frame.AsSpan(ChunkHeaderBytes, length));
            return;
        }
        BinaryPrimitives.WriteUInt32LittleEndian(frame, (uint)length);
        stream.Write(frame, 0, ChunkHeaderBytes + length);
    }

    public static void WriteMarker(Stream stream, uint marker)
    {
        Span<byte> bytes = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(bytes, marker);
        stream.Write(bytes);
    }

    public static void WriteAbort(Stream stream, string message)
    {
        string text = message.Length > MaxKeyLength ? message[..MaxKeyLength] : message;
        var frame = new FrameWriter(new byte[4 + Size32(text, MaxKeyLength)]);
        frame.U32(Abort);
        frame.String32(text);
        stream.Write(frame.Done());
    }

    /// <summary>Reads a chunk header: a length up to <see cref="MaxChunk"/>, 0 (end of request body), <see cref="End"/> or <see cref="Abort"/>.</summary>
    public static uint ReadChunkHeader(Stream stream) => ChunkHeader(ReadU32(stream));

    /// <summary>
    /// Reads a request body's chunk header: a length up to <see cref="MaxChunk"/>, 0 (the end of
    /// the body), <see cref="SlotChunk"/> or <see cref="SlotsAttached"/>; a response's markers are refused.
    /// </summary>
    public static uint ReadRequestChunkHeader(Stream stream)
    {
        uint n = ReadU32(stream);
        if (n > MaxChunk && n != SlotChunk && n != SlotsAttached)
        {
            throw new InvalidDataException(n is End or Abort ? "a response marker in the request body" : $"body chunk of {n} bytes, more than {MaxChunk}");
        }
        return n;
    }

    /// <summary>After <see cref="SlotChunk"/>: the slot and the chunk's length, checked against <see cref="BodySlots"/>' bounds.</summary>
    public static (int Slot, int Length) ReadSlotChunk(Stream stream)
    {
        uint slot = ReadU32(stream);
        uint length = ReadU32(stream);
        if (!BodySlots.IsValid(slot, length))
        {
            throw new InvalidDataException($"a shared-memory chunk of {length} bytes in slot {slot}, outside the {BodySlots.Count} slots of {BodySlots.SlotBytes} bytes");
        }
        return ((int)slot, (int)length);
    }

    /// <summary>Writes a <see cref="SlotChunk"/> (<see cref="SlotChunkBytes"/> bytes) at the start of <paramref name="destination"/>.</summary>
    public static void WriteSlotChunk(Span<byte> destination, int slot, int length)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(destination, SlotChunk);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[4..], (uint)slot);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[8..], (uint)length);
    }

    /// <summary>A chunk header read already (4 bytes, little-endian): a length, <see cref="End"/> or <see cref="Abort"/>.</summary>
    public static uint ChunkHeader(ReadOnlySpan<byte> header) => ChunkHeader(BinaryPrimitives.ReadUInt32LittleEndian(header));

    private static uint ChunkHeader(uint n)
    {
        if (n > MaxChunk && n != End && n != Abort)
        {
            throw new InvalidDataException($"body chunk of {n} bytes, more than {MaxChunk}");
        }
        return n;
    }

    public static string ReadAbortMessage(Stream stream) => ReadString(stream, ReadU32(stream), MaxKeyLength);

    public static void ReadExactly(Stream stream, Span<byte> buffer)
    {
        int read = 0;
        while (read < buffer.Length)
        {
            int n = stream.Read(buffer[read..]);
            if (n == 0)
            {
                throw new EndOfStreamException($"the connection closed {buffer.Length - read} bytes into a frame");
            }
            read += n;
        }
    }

    private static uint ReadU32(Stream stream)
    {
        Span<byte> b = stackalloc byte[4];
        ReadExactly(stream, b);
        return BinaryPrimitives.ReadUInt32LittleEndian(b);
    }

    private static string ReadString(Stream stream, uint length, int max)
    {
        if (length > max)
        {
            throw new InvalidDataException($"a string of {length} bytes, more than {max}");
        }
        if (length == 0)
        {
            return "";
        }
        // Decoded from the stack (or a pooled buffer): the string is the only allocation.
        byte[]? rented = null;
        Span<byte> bytes = length <= 512 ? stackalloc byte[512] : rented = ArrayPool<byte>.Shared.Rent((int)length);
        try
        {
            bytes = bytes[..(int)length];
            ReadExactly(stream, bytes);
            return Encoding.Latin1.GetString(bytes);
        }
        finally
        {
            if (rented != null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    /// <summary>Bytes of name/value pairs (u16 name, u32 value) in a frame.</summary>
    private static int SizeOfPairs(IReadOnlyList<KeyValuePair<string, string>> pairs)
    {
        int size = 0;
        for (int i = 0; i < pairs.Count; i++)
        {
            size += Size16(pairs[i].Key) + Size32(pairs[i].Value);
        }
        return size;
    }

    /// <summary>Bytes of a string with a u16 length in a frame.</summary>
    private static int Size16(string value)
    {
        int length = value.Length; // latin-1: a byte a char (one above U+00FF is sent as '?')
        if (length > ushort.MaxValue)
        {
            throw new ArgumentException($"'{value[..32]}...' ({length} bytes) is too long for the daemon protocol ({ushort.MaxValue})");
        }
        return 2 + length;
    }

    /// <summary>Bytes of a string with a u32 length in a frame; longer than <paramref name="max"/> is refused (the decoder would refuse it).</summary>
    private static int Size32(string value, int max = MaxValueLength)
    {
        int length = value.Length; // latin-1: a byte a char
        if (length > max)
        {
            throw new ArgumentException($"'{value[..32]}...' ({length} bytes) is too long for the daemon protocol ({max})");
        }
        return 4 + length;
    }

    /// <summary>Writes a frame sized beforehand with <see cref="Size16"/>/<see cref="Size32"/>, little-endian, latin-1.</summary>
    private ref struct FrameWriter(byte[] frame)
    {
        private int _at;

        public void U8(byte value) => frame[_at++] = value;

        public void U16(ushort value)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(frame.AsSpan(_at), value);
            _at += 2;
        }

        public void U32(uint value)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(frame.AsSpan(_at), value);
            _at += 4;
        }

        public void Bytes(ReadOnlySpan<byte> bytes)
        {
            bytes.CopyTo(frame.AsSpan(_at));
            _at += bytes.Length;
        }

        public void Bytes(in ReadOnlySequence<byte> bytes)
        {
            bytes.CopyTo(frame.AsSpan(_at));
            _at += (int)bytes.Length;
        }

        public void String16(string value)
        {
            int n = Encoding.Latin1.GetBytes(value, frame.AsSpan(_at + 2));
            U16((ushort)n);
            _at += n;
        }

        public void String32(string value)
        {
            int n = Encoding.Latin1.GetBytes(value, frame.AsSpan(_at + 4));
            U32((uint)n);
            _at += n;
        }

        /// <summary>Name/value pairs as <see cref="SizeOfPairs"/> counts them; indexed, as a foreach over the interface would allocate.</summary>
        public void Pairs(IReadOnlyList<KeyValuePair<string, string>> pairs)
        {
            for (int i = 0; i < pairs.Count; i++)
            {
                String16(pairs[i].Key);
                String32(pairs[i].Value);
            }
        }

        public readonly byte[] Done() => Done(frame.Length);

        /// <summary>The frame, checked to be the <paramref name="length"/> bytes it was sized as (at the start of a larger buffer, or the whole array).</summary>
        public readonly byte[] Done(int length) =>
            _at == length ? frame : throw new InvalidOperationException($"frame sized {length} bytes, {_at} written");
    }
}
