using System.Buffers;
using System.IO.Pipelines;

namespace WsgiHost.Compression;

/// <summary>
/// The response body's writer while compression may apply (<see cref="CompressedResponseBody"/>).
/// Passing through, every call goes straight to the response's own pipe. Compressing, the bytes
/// written wait in a buffer of its own and are encoded when the caller flushes (or 256 KiB have
/// gathered): an embedded app's body is written with the GIL held and flushed without it, so
/// the encoder's CPU is spent off the GIL. Each flush ends with the encoder's sync flush, so a
/// streamed response (server-sent events, a long report) still reaches the client piece by piece.
/// </summary>
internal sealed class CompressingBodyWriter(CompressedResponseBody body, PipeWriter inner) : PipeWriter
{
    /// <summary>Uncompressed bytes gathered before they are encoded without waiting for a flush.</summary>
    private const int EncodeAtBytes = 256 * 1024;

    private byte[]? _pending;
    private int _count;

    /// <summary>Body bytes written while compressing, before compression (DeflateFilterNote Input).</summary>
    public long InputBytes { get; private set; }

    public override Memory<byte> GetMemory(int sizeHint = 0) =>
        body.Decide() == CompressionDecision.PassThrough ? inner.GetMemory(sizeHint) : Reserve(sizeHint);

    public override Span<byte> GetSpan(int sizeHint = 0) =>
        body.Decide() == CompressionDecision.PassThrough ? inner.GetSpan(sizeHint) : Reserve(sizeHint).Span;

    public override void Advance(int bytes)
    {
        switch (body.Decision)
        {
            case CompressionDecision.PassThrough:
                inner.Advance(bytes);
                break;
            case CompressionDecision.Compressing:
                _count += bytes;
                InputBytes += bytes;
                if (_count >= EncodeAtBytes)
                {
                    Encode();
                }
                break;
            default:
                // A HEAD response's body (an app mapped to GET writes one): dropped, as Kestrel would.
                break;
        }
    }

    public override ValueTask<FlushResult> FlushAsync(CancellationToken cancellationToken = default)
    {
        if (body.Decide() == CompressionDecision.Compressing)
        {
            Encode();
            body.Encoder.Flush();
        }
        return inner.FlushAsync(cancellationToken);
    }

    public override void CancelPendingFlush() => inner.CancelPendingFlush();

    public override void Complete(Exception? exception = null)
    {
        if (exception == null)
        {
            body.FinishEncoding();
        }
        inner.Complete(exception);
    }

    public override async ValueTask CompleteAsync(Exception? exception = null)
    {
        if (exception == null)
        {
            body.FinishEncoding();
        }
        await inner.CompleteAsync(exception).ConfigureAwait(false);
    }

    /// <summary>Encodes what is gathered (into the response's pipe, unflushed).</summary>
    internal void Encode()
    {
        if (_count > 0)
        {
            body.Encoder.Write(_pending!, 0, _count);
            _count = 0;
        }
    }

    /// <summary>Gives the gathering buffer back to the pool (the response is done, or abandoned).</summary>
    internal void Release()
    {
        if (_pending != null)
        {
            ArrayPool<byte>.Shared.Return(_pending);
            _pending = null;
            _count = 0;
        }
    }

    private Memory<byte> Reserve(int sizeHint)
    {
        int wanted = Math.Max(sizeHint, 1);
        if (_pending == null)
        {
            _pending = ArrayPool<byte>.Shared.Rent(Math.Max(wanted, 16 * 1024));
        }
        else if (_pending.Length - _count < wanted)
        {
            if (body.Decision != CompressionDecision.Compressing)
            {
                _count = 0; // discarding
            }
            else if (_count + wanted > EncodeAtBytes)
            {
                Encode();
            }
            if (_pending.Length - _count < wanted)
            {
                // Grown, not encoded, below the threshold: what is written with the GIL held
                // waits for the flush, which comes without it.
                byte[] larger = ArrayPool<byte>.Shared.Rent(Math.Max(_count + wanted, _pending.Length * 2));
                _pending.AsSpan(0, _count).CopyTo(larger);
                ArrayPool<byte>.Shared.Return(_pending);
                _pending = larger;
            }
        }
        return _pending.AsMemory(_count);
    }
}
