using System.Buffers;

namespace WsgiHost.Python.Wsgi;

/// <summary>
/// wsgi.input's buffering over a blocking body source: read(n), readline(limit) and read-all,
/// with EOF at the end of the body (Content-Length or the last chunk). Runs without the GIL;
/// the returned span is valid until the next call. Only what the app asks for is ever held.
/// </summary>
internal sealed class InputReader : IDisposable
{
    private const int BlockSize = 64 * 1024;

    private readonly Func<Memory<byte>, int> _source;
    private byte[] _buffer = [];
    private int _start;
    private int _end;
    private byte[] _result = [];
    private bool _eof;

    public InputReader(Func<Memory<byte>, int> source) => _source = source;

    public long BytesRead { get; private set; }

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
            byte[] bigger = ArrayPool<byte>.Shared.Rent(Math.Max(count + data.Length, Math.Min(BlockSize, _result.Length * 2)));
            _result.AsSpan(0, count).CopyTo(bigger);
            if (_result.Length > 0)
            {
                ArrayPool<byte>.Shared.Return(_result);
            }
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
        if (_result.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(_result);
            _result = [];
        }
    }
}
