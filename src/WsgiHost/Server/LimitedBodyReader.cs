using System.Buffers;
using System.IO.Pipelines;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace WsgiHost.Server;

/// <summary>
/// LimitRequestBody for a body without a Content-Length (chunked, or HTTP/2 and 3 without
/// one): counts the body's own bytes, as Apache does. Kestrel's MaxRequestBodySize counted a
/// chunked body's framing too (a 990-byte body in one-byte chunks crossed a 1000-byte limit),
/// and on HTTP/2 its refusal came out as 500.
/// </summary>
internal sealed class LimitedBodyReader(PipeReader inner, long limit) : PipeReader
{
    /// <summary>Bytes the reader's user consumed so far.</summary>
    private long _consumed;

    /// <summary>What the last read returned, to count what AdvanceTo consumes of it.</summary>
    private ReadOnlySequence<byte> _last;

    /// <summary>Puts the limit under the request's body reader (only a body whose length is not declared: a declared one is checked from its header).</summary>
    public static void Install(HttpContext context, long limit) =>
        context.Features.Set<IRequestBodyPipeFeature>(new BodyPipe(new LimitedBodyReader(context.Request.BodyReader, limit)));

    private sealed class BodyPipe(PipeReader reader) : IRequestBodyPipeFeature
    {
        public PipeReader Reader => reader;
    }

    public override async ValueTask<ReadResult> ReadAsync(CancellationToken cancellationToken = default) =>
        Checked(await inner.ReadAsync(cancellationToken).ConfigureAwait(false));

    public override bool TryRead(out ReadResult result)
    {
        if (!inner.TryRead(out result))
        {
            return false;
        }
        result = Checked(result);
        return true;
    }

    private ReadResult Checked(ReadResult result)
    {
        if (_consumed + result.Buffer.Length > limit)
        {
            // Given back first: a reader allows no next read (Kestrel's end of request) before it is.
            inner.AdvanceTo(result.Buffer.Start, result.Buffer.End);
            throw new BadHttpRequestException($"Request body too large: more than LimitRequestBody {limit} bytes", StatusCodes.Status413PayloadTooLarge);
        }
        _last = result.Buffer;
        return result;
    }

    public override void AdvanceTo(SequencePosition consumed) => AdvanceTo(consumed, consumed);

    public override void AdvanceTo(SequencePosition consumed, SequencePosition examined)
    {
        _consumed += _last.Slice(_last.Start, consumed).Length;
        _last = default;
        inner.AdvanceTo(consumed, examined);
    }

    public override void CancelPendingRead() => inner.CancelPendingRead();

    public override void Complete(Exception? exception = null) => inner.Complete(exception);

    public override ValueTask CompleteAsync(Exception? exception = null) => inner.CompleteAsync(exception);
}
