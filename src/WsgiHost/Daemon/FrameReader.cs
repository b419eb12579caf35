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
    public string String(uint length, int max) => Latin1(StringBytes(length, max));

    /// <summary>As <see cref="String(uint, int)"/>, taking again the connection's string at <paramref name="position"/> of its previous frame when the bytes are the same (<paramref name="previous"/> null: always decoded).</summary>
    public string String(uint length, int max, FrameStrings? previous, int position) =>
        previous == null ? String(length, max) : previous.Get(position, StringBytes(length, max));

    /// <summary>Decodes latin-1 bytes ("" for none, without a call).</summary>
    public static string Latin1(ReadOnlySpan<byte> bytes) => bytes.IsEmpty ? "" : Encoding.Latin1.GetString(bytes);

    private ReadOnlySpan<byte> StringBytes(uint length, int max)
    {
        if (length > max)
        {
            throw new InvalidDataException($"a string of {length} bytes, more than {max}");
        }
        return Bytes((int)length);
    }
}
