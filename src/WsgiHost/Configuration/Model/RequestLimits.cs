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

    /// <summary>RequestReadTimeout body=: the seconds before the body's MinRate applies; null leaves Kestrel's default, 0 turns the check off.</summary>
    public int? BodyTimeoutSeconds { get; init; }

    /// <summary>RequestReadTimeout body=...,MinRate=: bytes per second a body must keep up; null is Kestrel's default rate (240).</summary>
    public int? BodyMinRate { get; init; }

    /// <summary>The largest header section Kestrel buffers: fields x field size, as Apache's limits allow, at most 1 MiB.</summary>
    public int MaxHeaderBytes =>
        (int)Math.Min(1024L * 1024, (MaxFields == 0 ? 1000L : MaxFields) * (MaxFieldSize == 0 ? 64L * 1024 : MaxFieldSize + 2L));
}
