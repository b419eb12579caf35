using System.Net;
using System.Text;
using Microsoft.AspNetCore.Http;
using WsgiHost.Python.Wsgi;

namespace WsgiHost.Server;

/// <summary>The pages the server makes itself: redirects (mod_alias's Redirect, mod_dir's trailing slash) with Apache's short page, and the sending of any such page.</summary>
internal static class RedirectResponse
{
    /// <summary>Sends the redirect; returns the body's length. Only Header lines with <c>always</c> apply to it, as to Apache's.</summary>
    public static Task<long> WriteAsync(HttpContext context, int status, string location)
    {
        Metadata.RequestMetadata.MarkServerError(context);
        return SendPageAsync(context, status, ErrorPage.ContentType.Value, Body(status, location), location);
    }

    /// <summary>Sends a page the server makes itself (an error page, an ErrorDocument, a redirect): status, type, length, body unless HEAD; returns the body's length.</summary>
    public static async Task<long> SendPageAsync(HttpContext context, int status, string contentType, byte[] body, string? location = null)
    {
        HttpResponse response = context.Response;
        response.StatusCode = status;
        if (location != null)
        {
            response.Headers.Location = location;
        }
        response.ContentType = contentType;
        response.ContentLength = body.Length;
        if (!HttpMethods.IsHead(context.Request.Method))
        {
            await response.Body.WriteAsync(body).ConfigureAwait(false);
        }
        return body.Length;
    }

    /// <summary>The page, in Apache's words (http_protocol.c's canned strings).</summary>
    internal static byte[] Body(int status, string location)
    {
        string reason = status switch
        {
            300 => "Multiple Choices",
            301 => "Moved Permanently",
            302 => "Found",
            303 => "See Other",
            305 => "Use Proxy",
            307 => "Temporary Redirect",
            308 => "Permanent Redirect",
            _ => "Redirect",
        };
        string lead = status == 303 ? "The answer to your request is located" : "The document has moved";
        return Encoding.Latin1.GetBytes(
            WsgiHost.Python.Wsgi.ErrorPage.DocType + "<html><head>\n" +
            $"<title>{status} {reason}</title>\n</head><body>\n<h1>{reason}</h1>\n" +
            $"<p>{lead} <a href=\"{WebUtility.HtmlEncode(location)}\">here</a>.</p>\n</body></html>\n");
    }
}
