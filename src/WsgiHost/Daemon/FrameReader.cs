using System.Buffers.Binary;
using System.Text;

namespace WsgiHost.Daemon;

/// <summary>
/// Reads a frame head already in memory: little-endian integers and latin-1 strings straight
/// from the bytes. Every length is checked against what is left, so a corrupt frame ends in
/// <see cref="EndOfStreamException"/> (as a short read on the socket would) or
/// <see cref="InvalidDataException"/>, never in a read past the head.
/// </summary>
internal ref struct FrameReader(ReadOnlySpan<byte> frame)
{
    private readonly ReadOnlySpan<byte> _frame = frame;
    private int _at;

    public ReadOnlySpan<byte> Bytes(int count)
    {
        if (count > _frame.Length - _at)
        {
            throw new EndOfStreamException($"the frame ended {count - (_frame.Length - _at)} bytes early");
        }
        ReadOnlySpan<byte> bytes = _frame.Slice(_at, count);
        _at += count;
        return bytes;
    }

    public ushort U16() => BinaryPrimitives.ReadUInt16LittleEndian(Bytes(2));

    public uint U32() => BinaryPrimitives.ReadUInt32LittleEndian(Bytes(4));

    /// <summary>A latin-1 string of <paramref name="length"/> bytes, refused above <paramref name="max"/>.</summary>
    public string String(uint length, int max)
    {
        ReadOnlySpan<byte> bytes = StringBytes(length, max);
        return bytes.IsEmpty ? "" : Encoding.Latin1.GetString(bytes);
    }

    /// <summary>The latin-1 bytes of a string of <paramref name="length"/> bytes, refused above <paramref name="max"/>.</summary>
    public ReadOnlySpan<byte> StringBytes(uint length, int max)
    {
        if (length > max)
        {
            throw new InvalidDataException($"a string of {length} bytes, more than {max}");
        }
        return Bytes((int)length);
    }
}
