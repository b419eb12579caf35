using System.Text;

namespace WsgiHost.Python.Wsgi;

/// <summary>The short HTML bodies the server itself answers with, in Apache's wording.</summary>
public static class ErrorPage
{
    /// <summary>The reason phrase Apache uses for <paramref name="status"/>.</summary>
    public static string Reason(int status) => status switch
    {
        302 => "Found",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        406 => "Not Acceptable",
        408 => "Request Timeout",
        409 => "Conflict",
        410 => "Gone",
        411 => "Length Required",
        412 => "Precondition Failed",
        413 => "Content Too Large",
        414 => "URI Too Long",
        415 => "Unsupported Media Type",
        416 => "Range Not Satisfiable",
        417 => "Expectation Failed",
        421 => "Misdirected Request",
        431 => "Request Header Fields Too Large",
        500 => "Internal Server Error",
        501 => "Not Implemented",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        505 => "HTTP Version Not Supported",
        // A status an app never sends through here: the server's own pages use those above.
        _ => "Error",
    };

    /// <summary>The first line of Apache 2.4's own pages (HTML 4.01 since 2.4.6x; HTML 2.0 before).</summary>
    public const string DocType = "<!DOCTYPE HTML PUBLIC \"-//W3C//DTD HTML 4.01//EN\" \"http://www.w3.org/TR/html4/strict.dtd\">\n";

    /// <summary>The HTML error page for <paramref name="status"/>, as Apache 2.4.71 words it.</summary>
    public static byte[] Body(int status)
    {
        string detail = status switch
        {
            400 => "Your browser sent a request that this server could not understand.<br />\n",
            401 => "This server could not verify that you are authorized to access the document requested.  Either you supplied the wrong credentials (e.g., bad password), or your browser doesn't understand how to supply the credentials required.",
            403 => "You don't have permission to access this resource.",
            404 => "The requested URL was not found on this server.",
            408 => "Server timeout waiting for the HTTP request from the client.",
            410 => "The requested resource is no longer available on this server and there is no forwarding address. Please remove all references to this resource.",
            411 => "A request of the requested method requires a valid Content-length.",
            413 => "The requested resource does not allow request data with this method, or the amount of data provided in the request exceeds the capacity limit.",
            414 => "The requested URL's length exceeds the capacity\nlimit for this server.<br />\n",
            417 => "The expectation given in the Expect request-header field could not be met by this server.",
            421 => "The client needs a new connection for this request as the requested host name does not match the Server Name Indication (SNI) in use for this connection.",
            502 => "The proxy server received an invalid\r\nresponse from an upstream server.<br />\r\n",
            504 => "The gateway did not receive a timely response\nfrom the upstream server or application.",
            500 => "The server encountered an internal error or\nmisconfiguration and was unable to complete\nyour request.</p>\n<p>Please contact the server administrator at \n [no address given] to inform them of the time this error occurred,\n and the actions you performed just before this error.</p>\n<p>More information about this error may be available\nin the server error log.",
            503 => "The server is temporarily unable to service your request due to maintenance downtime or capacity problems. Please try again later.",
            _ => Reason(status) + ".",
        };
        return Encoding.ASCII.GetBytes(
            DocType + "<html><head>\n" +
            $"<title>{status} {Reason(status)}</title>\n</head><body>\n<h1>{Reason(status)}</h1>\n<p>{detail}</p>\n</body></html>\n");
    }

    /// <summary>The Content-Type header of <see cref="Body"/>.</summary>
    public static readonly KeyValuePair<string, string> ContentType = new("Content-Type", "text/html; charset=iso-8859-1");
}
