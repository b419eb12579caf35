using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;

namespace WsgiHost.StaticFiles;

internal enum Precondition
{
    /// <summary>Serve the representation (200, or 206 when a Range applies).</summary>
    Proceed,
    /// <summary>304: the client's cached copy is current.</summary>
    NotModified,
    /// <summary>412: If-Match or If-Unmodified-Since failed.</summary>
    Failed,
}

/// <summary>
/// The conditional request headers of a GET or HEAD on a file, evaluated in the order of
/// RFC 9110 §13.2.2 (If-Match, else If-Unmodified-Since; then If-None-Match, else
/// If-Modified-Since), and If-Range for a Range request. Only GET and HEAD get here: the
/// handler refuses every other method before looking at preconditions, as Apache does.
/// </summary>
internal static class ConditionalRequest
{
    public static Precondition Evaluate(IHeaderDictionary headers, FileSnapshot file)
    {
        string? ifMatch = Joined(headers, HeaderNames.IfMatch);
        if (ifMatch != null)
        {
            // Strong comparison: a weak tag never proves byte-identical content.
            List<EntityTag> tags = EntityTag.ParseList(ifMatch, out bool any);
            if (!any && !tags.Exists(t => t.StrongMatches(file.ETag)))
            {
                return Precondition.Failed;
            }
        }
        else if (TryDate(headers, HeaderNames.IfUnmodifiedSince, out DateTimeOffset unmodifiedSince)
            && file.LastModified > unmodifiedSince)
        {
            return Precondition.Failed;
        }

        string? ifNoneMatch = Joined(headers, HeaderNames.IfNoneMatch);
        if (ifNoneMatch != null)
        {
            // Weak comparison: for a cache revalidation any equivalent copy will do.
            List<EntityTag> tags = EntityTag.ParseList(ifNoneMatch, out bool any);
            return any || tags.Exists(t => t.WeakMatches(file.ETag)) ? Precondition.NotModified : Precondition.Proceed;
        }
        // A date later than the server's clock is bogus (it cannot come from our Last-Modified);
        // Apache ignores it rather than promising the client its copy is current.
        if (TryDate(headers, HeaderNames.IfModifiedSince, out DateTimeOffset modifiedSince)
            && file.LastModified <= modifiedSince
            && modifiedSince <= file.Now)
        {
            return Precondition.NotModified;
        }
        return Precondition.Proceed;
    }

    /// <summary>
    /// Whether a Range may be honoured under If-Range (RFC 9110 §13.1.5): the tag must match the
    /// current one by strong comparison, or the date must equal Last-Modified exactly and that
    /// date be strong. Otherwise the whole file is sent (200), which is what the client needs
    /// when its partial copy is stale.
    /// </summary>
    public static bool RangeAllowed(IHeaderDictionary headers, FileSnapshot file)
    {
        string? ifRange = Joined(headers, HeaderNames.IfRange);
        if (ifRange == null)
        {
            return true;
        }
        if (EntityTag.TryParse(ifRange) is EntityTag tag)
        {
            return tag.StrongMatches(file.ETag);
        }
        return file.LastModifiedIsStrong
            && HeaderUtilities.TryParseDate(ifRange, out DateTimeOffset date)
            && date == file.LastModified;
    }

    private static string? Joined(IHeaderDictionary headers, string name)
    {
        var values = headers[name];
        return values.Count == 0 ? null : values.Count == 1 ? values[0] : string.Join(',', values.ToArray());
    }

    /// <summary>A valid HTTP-date; an invalid one is ignored, as RFC 9110 requires.</summary>
    private static bool TryDate(IHeaderDictionary headers, string name, out DateTimeOffset date)
    {
        date = default;
        var values = headers[name];
        return values.Count == 1 && values[0] is string value && HeaderUtilities.TryParseDate(value, out date);
    }
}
