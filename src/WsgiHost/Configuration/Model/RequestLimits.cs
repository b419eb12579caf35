namespace WsgiHost.Configuration.Model;

/// <summary>
/// Apache's limits on what a client may send and how slowly (LimitRequestFields,
/// LimitRequestFieldSize, LimitRequestLine, mod_reqtimeout's RequestReadTimeout), server-wide
/// as Kestrel applies them. The defaults are Apache's.
/// </summary>
internal sealed record RequestLimits
{
    /// <summary>LimitRequestFields: header fields per request; 0 is unlimited. Over it: 431.</summary>
    public int MaxFields { get; init; } = 100;

    /// <summary>LimitRequestFieldSize: bytes of one "Name: value" field; 0 is unlimited. Over it: 431.</summary>
    public int MaxFieldSize { get; init; } = 8190;

    /// <summary>LimitRequestLine: bytes of the request line; 0 is unlimited. Over it: 414.</summary>
    public int MaxRequestLine { get; init; } = 8190;

    /// <summary>RequestReadTimeout header=: seconds to receive the whole header section (the range's maximum); null leaves it to Timeout.</summary>
    public int? HeaderTimeoutSeconds { get; init; }

    /// <summary>RequestReadTimeout body=: the seconds before the body's MinRate applies; null is <see cref="DefaultBodyTimeoutSeconds"/>, 0 turns the check off.</summary>
    public int? BodyTimeoutSeconds { get; init; }

    /// <summary>
    /// The body's grace period when RequestReadTimeout does not set one: mod_reqtimeout's default
    /// body timeout (20 s; Debian's Apache loads the module), not Kestrel's 5 s, after which a
    /// small upload that stalled a few seconds (a phone changing networks) was cut off with 408
    /// where Apache takes it. A body that then averages below MinRate (240 bytes/s) still is.
    /// </summary>
    public const int DefaultBodyTimeoutSeconds = 20;

    /// <summary>RequestReadTimeout body=...,MinRate=: bytes per second a body must keep up; null is Kestrel's default rate (240).</summary>
    public int? BodyMinRate { get; init; }

    /// <summary>The largest header section Kestrel buffers: fields x field size, as Apache's limits allow, at most 1 MiB.</summary>
    public int MaxHeaderBytes =>
        (int)Math.Min(1024L * 1024, (MaxFields == 0 ? 1000L : MaxFields) * FieldBytes);

    /// <summary>
    /// How far the server reads ahead of the app on one connection (the socket transport's
    /// read buffer). Kestrel consumes the header section field by field, so this must hold
    /// only the request line or one field (twice over), never the whole section; past it,
    /// reading pauses until the app takes some of the body. Kestrel's default, 1 MiB, held a
    /// whole 1 MiB upload for each connection waiting for a WSGI thread: with 32 uploading
    /// clients, 32 MiB of a 75 MB server, which a server that leaves unread bytes in the socket
    /// (uWSGI: 43 MB) never holds. 256 KiB: 50 MB, for about 10% more CPU per 1 MiB upload
    /// (the reader pauses and resumes 8 times instead of never; bench/RESULTS.md).
    /// </summary>
    public int ReadAheadBytes =>
        (int)Math.Max(MinReadAheadBytes, Math.Min(2L * 1024 * 1024, 2L * (Math.Max((long)RequestLineBytes, FieldBytes) + 4096)));

    /// <summary>The read-ahead when the request line and one field are small (Apache's 8190-byte defaults).</summary>
    public const int MinReadAheadBytes = 256 * 1024;

    /// <summary>The longest request line Kestrel accepts, with its CRLF (Kestrel counts it; Apache does not); 1 MiB for "unlimited".</summary>
    public int RequestLineBytes => MaxRequestLine == 0 ? 1024 * 1024 : MaxRequestLine + 2;

    /// <summary>The longest "Name: value" field, with its CRLF; 64 KiB for "unlimited".</summary>
    private long FieldBytes => MaxFieldSize == 0 ? 64 * 1024 : MaxFieldSize + 2L;
}
