using System.Buffers;
using System.IO.Pipelines;

namespace WsgiHost.Compression;

/// <summary>
/// Where an encoder (GZipStream, BrotliStream) writes: straight into the response's pipe,
/// without flushing it (the body writer flushes when its caller does), counting the bytes for
/// the access log (Apache logs the body as sent, compressed). Once discarded (an aborted
/// response), what the encoder still writes is dropped.
/// </summary>
internal sealed class CompressedSink(PipeWriter pipe) : Stream
{
    public long Written { get; private set; }

    public bool Discarded { get; set; }

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        if (!Discarded)
        {
            pipe.Write(buffer);
            Written += buffer.Length;
        }
    }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void WriteByte(byte value) => Write([value]);

    // The encoders' own Flush ends here; the pipe is flushed by the body writer, asynchronously.
    public override void Flush()
    {
    }

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();
}
