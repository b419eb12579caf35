namespace WsgiHost.Daemon;

/// <summary>
/// Bytes a connection received ahead of its reader (a frame head, a small body and its end
/// marker usually arrive in one receive): the buffer of a worker's reading end of a connection
/// from the front (<see cref="FrontConnectionInput"/>), and of the front's reading end of a
/// connection to a worker (<see cref="DaemonConnectionInput"/>). Receives go into it only once
/// it is empty, so its bytes are always in order.
/// </summary>
internal sealed class ReceiveBuffer(int size)
{
    private readonly byte[] _bytes = new byte[size];
    private int _start;
    private int _end;

    public bool IsEmpty => _start == _end;

    /// <summary>A read at least this large goes straight to its destination instead (no copy through the buffer).</summary>
    public int Capacity => _bytes.Length;

    /// <summary>Where the next receive goes; only while <see cref="IsEmpty"/>.</summary>
    public Memory<byte> Space => _bytes;

    /// <summary>
    /// A read that needs no receive: of nothing (0), or of buffered bytes. False when the reader
    /// must receive (the buffer is empty and <paramref name="destination"/> is not).
    /// </summary>
    public bool TryRead(Span<byte> destination, out int read)
    {
        read = 0;
        if (destination.IsEmpty)
        {
            return true;
        }
        if (IsEmpty)
        {
            return false;
        }
        read = Take(destination);
        return true;
    }

    /// <summary>Copies buffered bytes to <paramref name="destination"/>: as many as fit, at least one when not empty.</summary>
    public int Take(Span<byte> destination)
    {
        int n = Math.Min(destination.Length, _end - _start);
        _bytes.AsSpan(_start, n).CopyTo(destination);
        _start += n;
        return n;
    }

    /// <summary>After a receive of <paramref name="received"/> bytes into <see cref="Space"/>: takes the first of them for <paramref name="destination"/> (0 at the end of the stream).</summary>
    public int Received(int received, Span<byte> destination)
    {
        _start = 0;
        _end = received;
        return Take(destination);
    }
}
