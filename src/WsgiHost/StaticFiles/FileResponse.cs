using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using WsgiHost.Compression;

namespace WsgiHost.StaticFiles;

/// <summary>
/// A response made of one file, as Apache's default handler sends it: GET or HEAD with
/// Last-Modified and ETag, conditional requests (304, 412), byte ranges (206, 416,
/// multipart/byteranges) and the compressed copy when an output filter compresses. For a
/// static Alias and for a file an application names in X-Sendfile.
/// </summary>
internal static class FileResponse
{
    /// <summary>One boundary per process, like Apache's ap_multipart_boundary: random, so file
    /// content cannot be crafted to contain it by someone who has not seen a response.</summary>
    private static readonly string s_boundary = Convert.ToHexStringLower(WsgiHost.Server.KernelRandom.GetBytes(8));

    /// <param name="type">The Content-Type to send; null sends the one already on the response, if any.</param>
    /// <param name="language">The Content-Language to send (mod_mime's AddLanguage, DefaultLanguage); null sends none.</param>
    /// <param name="encoding">The Content-Encoding to send (mod_mime's AddEncoding: the file's bytes are already encoded, so never compressed again); null sends none.</param>
    public static async Task ServeAsync(HttpContext context, FileSnapshot file, string? type, string? language = null, string? encoding = null)
    {
        HttpRequest request = context.Request;
        HttpResponse response = context.Response;
        bool head = HttpMethods.IsHead(request.Method);

        Precondition precondition = ConditionalRequest.Evaluate(request.Headers, file);
        if (precondition == Precondition.Failed)
        {
            await ErrorAsync(context, StatusCodes.Status412PreconditionFailed).ConfigureAwait(false);
            return;
        }
        response.Headers.LastModified = file.LastModified.ToString("r", CultureInfo.InvariantCulture);
        if (file.SendsETag)
        {
            response.Headers.ETag = file.ETag.ToString();
        }
        if (precondition == Precondition.NotModified)
        {
            // No body and no Content-Length/Type: a 304 describes the cached copy's validators only.
            response.StatusCode = StatusCodes.Status304NotModified;
            return;
        }
        response.Headers.AcceptRanges = "bytes";

        RangeOutcome outcome = RangeOutcome.Ignore;
        List<ByteRange> ranges = [];
        string? range = request.Headers.Range.Count == 1 ? request.Headers.Range[0] : null;
        if (range != null && ConditionalRequest.RangeAllowed(request.Headers, file))
        {
            outcome = ByteRanges.Parse(range, file.Length, out ranges);
        }

        if (outcome == RangeOutcome.Unsatisfiable)
        {
            response.Headers.ContentRange = "bytes */" + file.Length.ToString(CultureInfo.InvariantCulture);
            await ErrorAsync(context, StatusCodes.Status416RangeNotSatisfiable).ConfigureAwait(false);
            return;
        }
        if (outcome == RangeOutcome.Ignore)
        {
            response.StatusCode = StatusCodes.Status200OK;
            SetContentType(response, type, language, encoding);
            response.ContentLength = file.Length;
            if (!head && file.Length > 0)
            {
                if (context.Features.Get<IHttpResponseBodyFeature>() is CompressedResponseBody compressed
                    && compressed.Decide() == CompressionDecision.Compressing && file.Length <= CompressedFileCache.MaxFileBytes)
                {
                    // Compressed once per version of the file, not once per request.
                    byte[] encoded = CompressedFileCache.Shared.GetOrAdd(file.Path, file.ContentTag.ToString(), file.Handle, file.Length, compressed.Coding, compressed.Level);
                    await compressed.SendEncodedAsync(encoded, file.Length, context.RequestAborted).ConfigureAwait(false);
                    return;
                }
                await FileBody.SendAsync(response.BodyWriter, file.Handle, 0, file.Length, context.RequestAborted).ConfigureAwait(false);
            }
            return;
        }

        response.StatusCode = StatusCodes.Status206PartialContent;
        if (ranges.Count == 1)
        {
            ByteRange only = ranges[0];
            SetContentType(response, type, language, encoding);
            response.Headers.ContentRange = ContentRange(only, file.Length);
            response.ContentLength = only.Length;
            if (!head)
            {
                await FileBody.SendAsync(response.BodyWriter, file.Handle, only.Start, only.Length, context.RequestAborted).ConfigureAwait(false);
            }
            return;
        }
        SetContentType(response, null, language, encoding);
        await SendMultipartAsync(response, file, type, ranges, head).ConfigureAwait(false);
    }

    /// <summary>
    /// multipart/byteranges (RFC 9110 §14.6), laid out as Apache's byterange filter does: each
    /// part is CRLF, the boundary, its Content-Type (left out when the file has no type) and
    /// Content-Range, a blank line and the bytes; CRLF, the closing boundary and CRLF end it.
    /// The part headers are built first so Content-Length is exact.
    /// </summary>
    private static async Task SendMultipartAsync(HttpResponse response, FileSnapshot file, string? type, List<ByteRange> ranges, bool head)
    {
        var heads = new byte[ranges.Count][];
        long length = 0;
        for (int i = 0; i < ranges.Count; i++)
        {
            string part = "\r\n--" + s_boundary + "\r\n"
                + (type != null ? "Content-Type: " + type + "\r\n" : "")
                + "Content-Range: " + ContentRange(ranges[i], file.Length) + "\r\n\r\n";
            heads[i] = Encoding.Latin1.GetBytes(part);
            length += heads[i].Length + ranges[i].Length;
        }
        byte[] tail = Encoding.ASCII.GetBytes("\r\n--" + s_boundary + "--\r\n");
        length += tail.Length;

        response.ContentType = "multipart/byteranges; boundary=" + s_boundary;
        response.ContentLength = length;
        if (head)
        {
            return;
        }
        for (int i = 0; i < ranges.Count; i++)
        {
            await response.Body.WriteAsync(heads[i]).ConfigureAwait(false);
            await FileBody.SendAsync(response.BodyWriter, file.Handle, ranges[i].Start, ranges[i].Length, response.HttpContext.RequestAborted).ConfigureAwait(false);
        }
        await response.Body.WriteAsync(tail).ConfigureAwait(false);
    }

    private static string ContentRange(ByteRange range, long size) =>
        string.Create(CultureInfo.InvariantCulture, $"bytes {range.Start}-{range.End}/{size}");

    /// <summary>Apache sends no Content-Type for an unknown extension (no DefaultType); the
    /// charset a text type gets is mod_mime's (AddCharset) or AddDefaultCharset's, as the response starts.</summary>
    private static void SetContentType(HttpResponse response, string? type, string? language, string? encoding)
    {
        if (encoding != null)
        {
            response.Headers.ContentEncoding = encoding;
        }
        if (type != null)
        {
            response.ContentType = type;
        }
        if (language != null)
        {
            response.Headers.ContentLanguage = language;
        }
    }

    /// <summary>
    /// The server's error page in place of the file: the headers put on the response for it go
    /// (an X-Sendfile app's Content-Disposition, the validators), as Apache's error response keeps
    /// none of them; the connection's own Connection and a 416's Content-Range stay.
    /// </summary>
    public static Task<long> ErrorAsync(HttpContext context, int status)
    {
        IHeaderDictionary headers = context.Response.Headers;
        Microsoft.Extensions.Primitives.StringValues connection = headers.Connection;
        Microsoft.Extensions.Primitives.StringValues range = headers.ContentRange;
        headers.Clear();
        if (connection.Count > 0)
        {
            headers.Connection = connection;
        }
        if (range.Count > 0)
        {
            headers.ContentRange = range;
        }
        return Server.WsgiDispatch.ErrorAsync(context, status);
    }
}
