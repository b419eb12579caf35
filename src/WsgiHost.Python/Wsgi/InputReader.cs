using System.Buffers;

namespace WsgiHost.Python.Wsgi;

/// <summary>Blocking: reads request body bytes into buffer; 0 at the end of the body.</summary>
internal delegate int BodySource(Span<byte> buffer);

/// <summary>
/// wsgi.input's buffering over a blocking body source: read(n), readline(limit) and read-all,
/// with EOF at the end of the body (Content-Length or the last chunk). Runs without the GIL;
/// the returned span is valid until the next call. Only what the app asks for is ever held.
/// </summary>
internal sealed class InputReader : IDisposable
{
    private const int BlockSize = 64 * 1024;

    /// <summary>
    /// The largest result kept in the shared pool. A read() of a large body grew its result in
    /// pooled arrays, which the pool then kept for good, one of each size on the way up: 140 MB
    /// after one read of 50 MiB, 600 MB after five at once, never given back (QA). Larger
    /// results are plain arrays the garbage collector frees once the request is over.
    /// </summary>
    private const int MaxPooledResult = 1024 * 1024;

    private readonly BodySource _source;
    private readonly long? _length;
    private byte[] _buffer = [];
    private int _start;
    private int _end;
    private byte[] _result = [];
    private bool _eof;

    /// <param name="source">Where the body comes from.</param>
    /// <param name="length">The body's length when the request declared it (Content-Length), else null.</param>
    public InputReader(BodySource source, long? length = null)
    {
        _source = source;
        _length = length;
    }

    /// <summary>Bytes taken from the source so far (some may still be buffered here).</summary>
    public long BytesRead { get; private set; }

    /// <summary>Bytes of the body the app has not read yet, when its length is known.</summary>
    public long? Unread => _eof ? _end - _start : _length - BytesRead + (_end - _start);

    /// <summary>
    /// Fills destination with the next bytes of the body (fewer only at EOF) and returns how
    /// many: read(n) into memory the caller owns, such as a new Python bytes object, so the
    /// body is copied once on its way from the transport to the app.
    /// </summary>
    public int ReadInto(Span<byte> destination)
    {
        int count = Math.Min(_end - _start, destination.Length);
        _buffer.AsSpan(_start, count).CopyTo(destination);
        _start += count;
        while (count < destination.Length && !_eof)
        {
            int n = _source(destination[count..]);
            if (n <= 0)
            {
                _eof = true;
                break;
            }
            count += n;
            BytesRead += n;
        }
        return count;
    }

    /// <summary>Up to size bytes (fewer only at EOF); size &lt; 0 reads to the end.</summary>
    public ReadOnlySpan<byte> Read(long size)
    {
        if (size == 0)
        {
            return [];
        }
        int count = 0;
        while (size < 0 || count < size)
        {
            if (_start == _end && !Fill())
            {
                break;
            }
            int take = _end - _start;
            if (size >= 0)
            {
                take = (int)Math.Min(take, size - count);
            }
            Append(ref count, _buffer.AsSpan(_start, take));
            _start += take;
        }
        return _result.AsSpan(0, count);
    }

    /// <summary>One line including its "\n" (none at EOF), at most limit bytes when limit &gt;= 0.</summary>
    public ReadOnlySpan<byte> ReadLine(long limit)
    {
        if (limit == 0)
        {
            return [];
        }
        int count = 0;
        while (limit < 0 || count < limit)
        {
            if (_start == _end && !Fill())
            {
                break;
            }
            var available = _buffer.AsSpan(_start, _end - _start);
            if (limit >= 0 && available.Length > limit - count)
            {
                available = available[..(int)(limit - count)];
            }
            int newline = available.IndexOf((byte)'\n');
            int take = newline >= 0 ? newline + 1 : available.Length;
            Append(ref count, available[..take]);
            _start += take;
            if (newline >= 0)
            {
                break;
            }
        }
        return _result.AsSpan(0, count);
    }

    private void Append(ref int count, ReadOnlySpan<byte> data)
    {
        if (_result.Length < count + data.Length)
        {
            // Doubling: a read of n bytes copies O(n) bytes on the way, whatever n is.
            int wanted = (int)Math.Min(Array.MaxLength, Math.Max(count + (long)data.Length, Math.Max(BlockSize, _result.Length * 2L)));
            byte[] bigger = wanted <= MaxPooledResult ? ArrayPool<byte>.Shared.Rent(wanted) : GC.AllocateUninitializedArray<byte>(wanted);
            _result.AsSpan(0, count).CopyTo(bigger);
            ReturnResult();
            _result = bigger;
        }
        data.CopyTo(_result.AsSpan(count));
        count += data.Length;
    }

    private bool Fill()
    {
        if (_eof)
        {
            return false;
        }
        if (_buffer.Length == 0)
        {
            _buffer = ArrayPool<byte>.Shared.Rent(BlockSize);
        }
        _start = 0;
        _end = 0;
        int n = _source(_buffer);
        if (n <= 0)
        {
            _eof = true;
            return false;
        }
        _end = n;
        BytesRead += n;
        return true;
    }

    public void Dispose()
    {
        if (_buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = [];
        }
        ReturnResult();
        _result = [];
    }

    /// <summary>Gives the result array back to the pool, if it came from there (larger ones are left to the collector).</summary>
    private void ReturnResult()
    {
        if (_result.Length is > 0 and <= MaxPooledResult)
        {
            ArrayPool<byte>.Shared.Return(_result);
        }
    }
}
