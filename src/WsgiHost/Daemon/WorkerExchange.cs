using System.Buffers.Binary;
using System.Net.Sockets;
using Microsoft.Win32.SafeHandles;
using WsgiHost.Python.Interop;
using WsgiHost.Python.Wsgi;

namespace WsgiHost.Daemon;

/// <summary>
/// One request inside a daemon worker, seen through the gateway's interface: the environ the
/// front computed, the body as chunks from the front, the response as frames back to it.
/// Runs on a WSGI thread; blocking calls are made with the GIL released by the gateway.
/// </summary>
/// <param name="input">The connection, read unbuffered (the request body follows the head).</param>
/// <param name="output">The connection behind a write buffer, flushed at each Flush.</param>
/// <param name="wholeBody">The request's whole body when it came with the head and was read already (<see cref="DaemonKeys.BodyComplete"/>; empty for none), else null: the body follows on <paramref name="input"/> as chunks, read as the app reads it.</param>
/// <param name="xsendfile">XSendFile is On for the request (<see cref="DaemonKeys.XSendFile"/>).</param>
/// <param name="socket">The connection's socket, for sending streamed body chunks without a copy (<see cref="Send"/>); without it they go through <paramref name="output"/>.</param>
internal sealed class WorkerExchange(Stream input, Stream output, IReadOnlyList<KeyValuePair<string, string>> environ, bool isHead, string client, byte[]? wholeBody = null, Socket? socket = null, bool xsendfile = false) : IWsgiExchange
{
    /// <summary>The worker's own log: the front passes its lines to the group's.</summary>
    public WsgiHost.Python.Runtime.IErrorLog? Log => null;

    /// <summary>The body buffered since the last flush, after room for its chunk header (<see cref="DaemonProtocol.WriteChunk(Stream, byte[], int)"/>).</summary>
    private readonly MemoryStream _pending = NewPending();
    private (int Status, string Reason, List<KeyValuePair<string, string>> Headers)? _head;
    private bool _serverErrorPage;
    private bool _headSent;
    private bool _bodyDone = wholeBody != null;
    private int _wholeBodyRead;
    private int _chunkLeft;

    // The chunk being read when it is in shared memory: its slot (-1: in the socket) and the
    // bytes of it read so far; the connection's slots once a chunk came there.
    private int _slot = -1;
    private int _slotRead;
    private BodySlots? _slots;
    private bool _failed;

    // A chunk that SendNow began and the socket took only part of: the first of its header
    // bytes not sent (ChunkHeaderBytes: all were) and the body bytes still owed, which the next
    // Send sends before anything else. While header bytes are owed no body byte went, so the
    // chunk's length is then the body owed.
    private int _owedHeaderFrom = DaemonProtocol.ChunkHeaderBytes;
    private int _owedBody;

    public bool IsHead { get; } = isHead;

    /// <summary>The front sends the file this response's X-Sendfile names in place of its body.</summary>
    public bool BodyReplaced => xsendfile && _head is { } head && Metadata.XSendFileTarget.Named(head.Status, head.Headers) != null;

    public string ClientForLog { get; } = client;

    /// <summary>Why the response was aborted after it started, or null.</summary>
    public string? AbortReason { get; private set; }

    public void WriteCgiVariables(IEnvironSink sink)
    {
        foreach (var (key, value) in environ)
        {
            if (!key.StartsWith(DaemonKeys.Prefix, StringComparison.Ordinal))
            {
                sink.Add(key, value);
            }
        }
    }

    public int ReadBody(Span<byte> buffer)
    {
        if (wholeBody != null)
        {
            int n = Math.Min(buffer.Length, wholeBody.Length - _wholeBodyRead);
            wholeBody.AsSpan(_wholeBodyRead, n).CopyTo(buffer);
            _wholeBodyRead += n;
            return n;
        }
        if (_bodyDone || buffer.IsEmpty)
        {
            return 0;
        }
        try
        {
            if (_chunkLeft == 0 && !NextChunk())
            {
                return 0;
            }
        }
        catch (EndOfStreamException)
        {
            throw new EndOfStreamException(FrontEnded);
        }
        if (_slot >= 0)
        {
            int n = Math.Min(buffer.Length, _chunkLeft);
            _slots!.Read(_slot, _slotRead, buffer[..n]);
            _slotRead += n;
            _chunkLeft -= n;
            if (_chunkLeft == 0)
            {
                _slots.Release(_slot);
                _slot = -1;
            }
            return n;
        }
        int read = input.Read(buffer[..Math.Min(buffer.Length, _chunkLeft)]);
        if (read == 0)
        {
            throw new EndOfStreamException(FrontEnded);
        }
        _chunkLeft -= read;
        return read;
    }

    /// <summary>Why the body stopped when the front dropped the connection: it does so when the client's body is refused or the client is gone.</summary>
    private const string FrontEnded = "the server ended the request body (the client went away, or its body was refused: LimitRequestBody, Timeout, malformed chunks)";

    /// <summary>Reads the next chunk's header, in the socket or in shared memory; false at the end of the body.</summary>
    private bool NextChunk()
    {
        while (true)
        {
            uint n = DaemonProtocol.ReadRequestChunkHeader(input);
            if (n == 0)
            {
                _bodyDone = true;
                return false;
            }
            if (n == DaemonProtocol.SlotsAttached)
            {
                _slots = Connection().AttachSlots();
                continue;
            }
            if (n == DaemonProtocol.SlotChunk)
            {
                (_slot, _chunkLeft) = DaemonProtocol.ReadSlotChunk(input);
                _slots ??= Connection().Slots ?? throw new InvalidDataException("a shared-memory chunk on a connection without shared memory");
                _slotRead = 0;
                return true;
            }
            _chunkLeft = (int)n;
            return true;
        }
    }

    private FrontConnectionInput Connection() =>
        input as FrontConnectionInput ?? throw new InvalidDataException("shared memory on a connection that cannot receive it");

    /// <summary>
    /// Reads what is left of the request body (an app may ignore it), so the connection is at
    /// the next request; false when it could not (the front went away or sent garbage).
    /// </summary>
    public bool DrainBody()
    {
        if (_bodyDone)
        {
            return true; // the usual case: read by the app, or a request without a body
        }
        byte[] scratch = System.Buffers.ArrayPool<byte>.Shared.Rent(8192);
        try
        {
            while (ReadBody(scratch) > 0)
            {
            }
            return true;
        }
        catch (Exception e) when (e is IOException or InvalidDataException)
        {
            return false;
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(scratch);
        }
    }

    /// <summary>The front is told, so only Header lines with "always" apply to the page, as in embedded mode.</summary>
    public void MarkErrorPage() => _serverErrorPage = true;

    public void StartResponse(int status, string reason, IReadOnlyList<KeyValuePair<string, string>> headers, long? contentLength)
    {
        var list = new List<KeyValuePair<string, string>>(headers.Count + 1);
        list.AddRange(headers);
        if (contentLength is long length && !headers.Any(h => h.Key.Equals("Content-Length", StringComparison.OrdinalIgnoreCase)))
        {
            list.Add(new("Content-Length", length.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        }
        _head = (status, reason, list);
    }

    public void Buffer(ReadOnlySpan<byte> data)
    {
        if (!_failed && !IsHead)
        {
            _pending.Write(data);
        }
    }

    public bool Flush()
    {
        if (_failed)
        {
            return false;
        }
        try
        {
            WritePending();
            output.Flush();
            return true;
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException)
        {
            _failed = true;
            return false;
        }
    }

    /// <summary>
    /// A streamed item or a write(): what is buffered goes out first, then the chunk's header and
    /// the bytes in one send straight from the Python object (a copy into the buffer cost a
    /// 1 MiB download 13% of the worker's CPU in the copy and the buffer's allocation).
    /// </summary>
    public bool Send(ReadOnlySpan<byte> data)
    {
        if (_owedBody > 0)
        {
            if (!SendOwed(ref data))
            {
                return false;
            }
            if (data.IsEmpty)
            {
                return true;
            }
        }
        // A small item (a page of Flask or Django, which stream their bodies) is copied: it
        // then leaves with the head in one send, where sending it apart would cost the front
        // one more wake-up for the same page.
        if (socket == null || !GatherSend.IsSupported || IsHead || data.Length < CopyBelowBytes)
        {
            Buffer(data);
            return Flush();
        }
        if (_failed)
        {
            return false;
        }
        try
        {
            WritePending();
            output.Flush();
            Span<byte> header = stackalloc byte[DaemonProtocol.ChunkHeaderBytes];
            while (data.Length > 0)
            {
                int n = Math.Min(data.Length, DaemonProtocol.MaxChunk);
                BinaryPrimitives.WriteUInt32LittleEndian(header, (uint)n);
                GatherSend.Send(socket.SafeHandle, header, data[..n]);
                data = data[n..];
            }
            return true;
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException)
        {
            _failed = true;
            return false;
        }
    }

    /// <summary>
    /// With the GIL held: a chunk of its own (nothing buffered or unsent before it), sent as far
    /// as the socket takes it without waiting. The worker's socket buffer is sized to hold a
    /// download's chunks (send-buffer-size), so usually all of it goes.
    /// </summary>
    public int SendNow(ReadOnlySpan<byte> data)
    {
        if (socket == null || !GatherSend.IsSupported || IsHead || _failed || !_headSent
            || _pending.Length > DaemonProtocol.ChunkHeaderBytes || data.Length < CopyBelowBytes || data.Length > DaemonProtocol.MaxChunk)
        {
            return 0;
        }
        Span<byte> header = stackalloc byte[DaemonProtocol.ChunkHeaderBytes];
        BinaryPrimitives.WriteUInt32LittleEndian(header, (uint)data.Length);
        int sent;
        try
        {
            sent = GatherSend.TrySend(socket.SafeHandle, header, data);
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException)
        {
            _failed = true; // Send, called for the rest, reports it
            return 0;
        }
        if (sent == 0)
        {
            return 0;
        }
        int body = Math.Max(0, sent - DaemonProtocol.ChunkHeaderBytes);
        if (body < data.Length)
        {
            _owedHeaderFrom = Math.Min(sent, DaemonProtocol.ChunkHeaderBytes);
            _owedBody = data.Length - body;
        }
        return body;
    }

    /// <summary>The rest of the chunk SendNow began: it leaves <paramref name="data"/> with what follows it.</summary>
    private bool SendOwed(ref ReadOnlySpan<byte> data)
    {
        if (_failed)
        {
            return false;
        }
        Span<byte> header = stackalloc byte[DaemonProtocol.ChunkHeaderBytes];
        BinaryPrimitives.WriteUInt32LittleEndian(header, (uint)_owedBody);
        try
        {
            GatherSend.Send(socket!.SafeHandle, header[_owedHeaderFrom..], data[.._owedBody]);
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException)
        {
            _failed = true;
            return false;
        }
        data = data[_owedBody..];
        _owedBody = 0;
        _owedHeaderFrom = DaemonProtocol.ChunkHeaderBytes;
        return true;
    }

    /// <summary>Items smaller than this go through the write buffer (<see cref="Send"/>).</summary>
    private const int CopyBelowBytes = 16 * 1024;

    /// <summary>The head if not sent yet and the buffered body as one chunk, into the write buffer.</summary>
    private void WritePending()
    {
        SendHead();
        int length = (int)_pending.Length - DaemonProtocol.ChunkHeaderBytes;
        if (length > 0)
        {
            DaemonProtocol.WriteChunk(output, _pending.GetBuffer(), length);
            _pending.SetLength(DaemonProtocol.ChunkHeaderBytes);
        }
    }

    private static MemoryStream NewPending()
    {
        var pending = new MemoryStream();
        pending.SetLength(DaemonProtocol.ChunkHeaderBytes);
        pending.Position = DaemonProtocol.ChunkHeaderBytes;
        return pending;
    }

    private void SendHead()
    {
        if (_headSent || _head is not { } head)
        {
            return;
        }
        output.Write(DaemonProtocol.EncodeResponseHead(head.Status, head.Reason, head.Headers, _serverErrorPage));
        _headSent = true;
    }

    /// <summary>
    /// wsgi.file_wrapper's file: in chunks of its own, each header written and the bytes sent by
    /// the kernel from the file (<see cref="FileSend"/>), all but the last
    /// <see cref="CopiedTailBytes"/>, which are read first and sent through the write buffer.
    /// A chunk's length goes out before its bytes, so a file that shrinks while the kernel
    /// sends it ends that chunk with zeros and the count returned is short (the gateway aborts
    /// the response): as the tail was not sent, the client gets less than the length it was
    /// promised and sees the response cut short, never a padded body as a whole one.
    /// </summary>
    public long SendFile(SafeFileHandle file, long offset, long count)
    {
        if (socket == null || !FileSend.IsSupported || IsHead)
        {
            return CopyFile(file, offset, count);
        }
        if (_failed)
        {
            return -1;
        }
        long viaKernel = count - Math.Min(count, CopiedTailBytes);
        long done = 0;
        try
        {
            Span<byte> header = stackalloc byte[DaemonProtocol.ChunkHeaderBytes];
            while (done < viaKernel)
            {
                int n = (int)Math.Min(viaKernel - done, DaemonProtocol.MaxChunk);
                // The head, when not sent yet, leaves with the first chunk's header.
                WritePending();
                BinaryPrimitives.WriteUInt32LittleEndian(header, (uint)n);
                output.Write(header);
                output.Flush();
                long sent = FileSend.Send(socket.SafeHandle, file, offset + done, n);
                if (sent < 0)
                {
                    sent = CopyRaw(file, offset + done, n); // a file system sendfile cannot read
                }
                done += sent;
                if (sent < n)
                {
                    WriteZeros(n - (int)sent);
                    return done;
                }
            }
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException)
        {
            _failed = true;
            return -1;
        }
        long tail = CopyFile(file, offset + done, count - done);
        return tail < 0 ? -1 : done + tail;
    }

    /// <summary>The end of a file that <see cref="SendFile"/> reads before it sends (a whole file when smaller).</summary>
    internal const int CopiedTailBytes = 4096;

    /// <summary>The file (or its tail) through the write buffer, as chunks: the bytes of it sent (short where it ended), -1 when the front is gone.</summary>
    private long CopyFile(SafeFileHandle file, long offset, long count)
    {
        byte[] buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(64 * 1024);
        try
        {
            long copied = 0;
            while (copied < count)
            {
                int n = RandomAccess.Read(file, buffer.AsSpan(0, (int)Math.Min(buffer.Length, count - copied)), offset + copied);
                if (n <= 0)
                {
                    break;
                }
                Buffer(buffer.AsSpan(0, n));
                copied += n;
                // The last piece stays buffered: it leaves with the end marker (Complete).
                if (copied < count && !Flush())
                {
                    return -1;
                }
            }
            return _failed ? -1 : copied;
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Bytes of the file straight after a chunk header already sent; the count copied, short at the file's end.</summary>
    private int CopyRaw(SafeFileHandle file, long offset, int count)
    {
        byte[] buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(64 * 1024);
        try
        {
            int copied = 0;
            while (copied < count)
            {
                int n = RandomAccess.Read(file, buffer.AsSpan(0, Math.Min(buffer.Length, count - copied)), offset + copied);
                if (n <= 0)
                {
                    break;
                }
                output.Write(buffer, 0, n);
                copied += n;
            }
            output.Flush();
            return copied;
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Fills what is left of a chunk whose length was sent before its bytes ran out.</summary>
    private void WriteZeros(int count)
    {
        Span<byte> zeros = stackalloc byte[4096];
        zeros.Clear();
        while (count > 0)
        {
            int n = Math.Min(count, zeros.Length);
            output.Write(zeros[..n]);
            count -= n;
        }
        output.Flush();
    }

    public void Abort(string reason) => AbortReason ??= reason;

    /// <summary>
    /// Ends the response frame after the gateway returned: what is still buffered, then the end
    /// marker or the abort with its reason, in one write (a small response, with the accept byte
    /// before it, leaves the worker in a single send).
    /// </summary>
    public void Complete()
    {
        if (_failed)
        {
            return;
        }
        try
        {
            WritePending();
            if (AbortReason != null)
            {
                DaemonProtocol.WriteAbort(output, AbortReason);
            }
            else
            {
                DaemonProtocol.WriteMarker(output, DaemonProtocol.End);
            }
            output.Flush();
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException)
        {
            _failed = true;
        }
    }
}
