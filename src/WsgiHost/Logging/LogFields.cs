using System.Globalization;
using System.Net;
using System.Text;

namespace WsgiHost.Logging;

/// <summary>
/// What each mod_log_config directive logs, as a writer chosen (and its argument checked)
/// once when a format is compiled. Request data is escaped as Apache escapes it; a value the
/// entry does not have is logged as "-", as Apache logs a missing value.
/// </summary>
internal static class LogFields
{
    private const long UnixEpochTicks = 621355968000000000;
    private static readonly string ProcessId = System.Environment.ProcessId.ToString(CultureInfo.InvariantCulture);

    /// <summary>
    /// The writer for <paramref name="directive"/> ("h", "i", "^ti", ...) with its {argument}
    /// (null when none was given), or null when there is no such directive.
    /// <paramref name="fail"/> builds the exception for a bad argument.
    /// </summary>
    public static LogFieldWriter? Create(string directive, string? argument, Func<string, FormatException> fail)
    {
        switch (directive)
        {
            case "a":
                return argument switch
                {
                    null or "" => static (StringBuilder o, in AccessLogEntry e) => AppendAddress(o, e.RemoteAddress, e.RemoteHost),
                    "c" => static (StringBuilder o, in AccessLogEntry e) => AppendAddress(o, e.PeerAddress ?? e.RemoteAddress, e.RemoteHost),
                    _ => throw fail("the only argument %a takes is c (%{c}a, the TCP peer's address)"),
                };
            case "h":
                return argument switch
                {
                    null or "" => static (StringBuilder o, in AccessLogEntry e) => AppendEscaped(o, e.RemoteHost),
                    "c" => static (StringBuilder o, in AccessLogEntry e) =>
                    {
                        if (e.PeerAddress != null)
                        {
                            AppendAddress(o, e.PeerAddress, null);
                        }
                        else
                        {
                            AppendEscaped(o, e.RemoteHost);
                        }
                    },
                    _ => throw fail("the only argument %h takes is c (%{c}h, the TCP peer)"),
                };
            case "p":
                return (argument ?? "").ToLowerInvariant() switch
                {
                    "" or "canonical" => static (StringBuilder o, in AccessLogEntry e) => AppendPort(o, e.ServerPort != 0 ? e.ServerPort : e.LocalPort),
                    "local" => static (StringBuilder o, in AccessLogEntry e) => AppendPort(o, e.LocalPort),
                    "remote" => static (StringBuilder o, in AccessLogEntry e) => AppendPort(o, e.RemotePort),
                    _ => throw fail("%{...}p takes canonical, local or remote"),
                };
            case "P":
                return (argument ?? "").ToLowerInvariant() switch
                {
                    "" or "pid" => static (StringBuilder o, in AccessLogEntry e) => o.Append(ProcessId),
                    // The managed id of the thread writing the line: .NET has no portable OS thread id.
                    "tid" => static (StringBuilder o, in AccessLogEntry e) => o.Append(System.Environment.CurrentManagedThreadId),
                    "hextid" => static (StringBuilder o, in AccessLogEntry e) =>
                        o.Append(System.Environment.CurrentManagedThreadId.ToString("x", CultureInfo.InvariantCulture)),
                    _ => throw fail("%{...}P takes pid, tid or hextid"),
                };
            case "t":
                return Time(argument, fail);
            case "T":
                return (argument ?? "").ToLowerInvariant() switch
                {
                    // Apache truncates to whole units.
                    "" or "s" => static (StringBuilder o, in AccessLogEntry e) => o.Append(Microseconds(e.Duration) / 1_000_000),
                    "ms" => static (StringBuilder o, in AccessLogEntry e) => o.Append(Microseconds(e.Duration) / 1_000),
                    "us" => static (StringBuilder o, in AccessLogEntry e) => o.Append(Microseconds(e.Duration)),
                    _ => throw fail("the unit of %{UNIT}T must be s, ms or us"),
                };
            case "L":
                // No request log ids are kept (Apache too logs "-" when the error log saw nothing).
                if (argument is not (null or "" or "c"))
                {
                    throw fail("the only argument %L takes is c");
                }
                return static (StringBuilder o, in AccessLogEntry e) => o.Append('-');
            case "i":
                string requestHeader = Required(argument, "a header name: %{Name}i", fail);
                return RequestHeader(requestHeader);
            case "o":
                string responseHeader = Required(argument, "a header name: %{Name}o", fail);
                return ResponseHeader(responseHeader);
            case "e":
                string variable = Required(argument, "a variable name: %{NAME}e", fail);
                return (StringBuilder o, in AccessLogEntry e) => AppendEscaped(o, e.Environment == null ? null : Metadata.RequestVariables.Get(e.Environment, variable));
            case "C":
                string cookie = Required(argument, "a cookie name: %{name}C", fail);
                return (StringBuilder o, in AccessLogEntry e) => AppendEscaped(o, Cookie(e, cookie));
            case "n":
                // Notes are Apache's module-to-module channel; here only compression leaves some
                // (DeflateFilterNote), and any other name logs "-", as an unset note does.
                string note = Required(argument, "a note name: %{name}n", fail);
                return (StringBuilder o, in AccessLogEntry e) => AppendEscaped(o, Lookup(e.Notes, note));
            case "^ti" or "^to":
                // HTTP trailers are not kept for logging.
                Required(argument, $"a trailer name: %{{Name}}{directive}", fail);
                return static (StringBuilder o, in AccessLogEntry e) => o.Append('-');
        }

        LogFieldWriter? writer = WithoutArgument(directive);
        if (writer != null && !string.IsNullOrEmpty(argument))
        {
            // Apache ignores it, but it is almost always a typo: %{User-Agent}I for ...i.
            string hint = directive is "I" or "O" ? $"; for a header write %{{{argument}}}{char.ToLowerInvariant(directive[0])}" : "";
            throw fail($"%{directive} takes no {{argument}}{hint}");
        }
        return writer;
    }

    /// <summary>The directives that take no {argument}; null for any other.</summary>
    private static LogFieldWriter? WithoutArgument(string directive)
    {
        return directive switch
        {
            "A" => static (StringBuilder o, in AccessLogEntry e) => AppendAddress(o, e.LocalAddress, null),
            "B" => static (StringBuilder o, in AccessLogEntry e) => o.Append(e.BodyBytes),
            "b" => static (StringBuilder o, in AccessLogEntry e) => AppendCount(o, e.BodyBytes),
            "D" => static (StringBuilder o, in AccessLogEntry e) => o.Append(Microseconds(e.Duration)),
            "f" => static (StringBuilder o, in AccessLogEntry e) => AppendEscaped(o, e.FileName),
            "H" => static (StringBuilder o, in AccessLogEntry e) => AppendRequestPart(o, e.Protocol, e.RequestLine, RequestLineParts.Protocol),
            "I" => static (StringBuilder o, in AccessLogEntry e) => o.Append(e.BytesReceived),
            "k" => static (StringBuilder o, in AccessLogEntry e) => o.Append(e.KeepAliveRequests),
            // identd lookups (mod_ident) are not supported, so the logname is always unknown.
            "l" => static (StringBuilder o, in AccessLogEntry e) => o.Append('-'),
            "m" => static (StringBuilder o, in AccessLogEntry e) => AppendRequestPart(o, e.Method, e.RequestLine, RequestLineParts.Method),
            "O" => static (StringBuilder o, in AccessLogEntry e) => o.Append(e.BytesSent),
            // Empty, not "-", when there is no query: "%U%q" then rebuilds the URL.
            "q" => static (StringBuilder o, in AccessLogEntry e) =>
            {
                if (e.UrlPath != null)
                {
                    if (e.Query != null)
                    {
                        LogItemEscaper.Append(o.Append('?'), e.Query);
                    }
                }
                else if (RequestLineParts.Query(e.RequestLine, out ReadOnlySpan<char> query))
                {
                    LogItemEscaper.Append(o.Append('?'), query);
                }
            },
            "r" => static (StringBuilder o, in AccessLogEntry e) => AppendEscaped(o, e.RequestLine),
            "R" => static (StringBuilder o, in AccessLogEntry e) => AppendEscaped(o, e.Handler),
            "s" => static (StringBuilder o, in AccessLogEntry e) => AppendCount(o, e.Status),
            "S" => static (StringBuilder o, in AccessLogEntry e) => o.Append(e.BytesReceived + e.BytesSent),
            "u" => static (StringBuilder o, in AccessLogEntry e) =>
            {
                // An empty user is shown as "" so that it differs from no user at all.
                if (e.User is { Length: 0 })
                {
                    o.Append("\"\"");
                }
                else
                {
                    AppendEscaped(o, e.User);
                }
            },
            "U" => static (StringBuilder o, in AccessLogEntry e) => AppendRequestPart(o, e.UrlPath, e.RequestLine, RequestLineParts.Path),
            "v" => static (StringBuilder o, in AccessLogEntry e) => AppendEscaped(o, e.ServerName),
            "V" => static (StringBuilder o, in AccessLogEntry e) => AppendEscaped(o, e.RequestServerName ?? e.ServerName),
            "X" => static (StringBuilder o, in AccessLogEntry e) => o.Append(e.ConnectionAborted ? 'X' : e.KeepAlive ? '+' : '-'),
            _ => null,
        };
    }

    private static string Required(string? argument, string what, Func<string, FormatException> fail) =>
        string.IsNullOrEmpty(argument) ? throw fail($"the directive needs {what}") : argument;

    private static LogFieldWriter RequestHeader(string name)
    {
        // The entry carries Referer and User-Agent directly (the combined format's headers),
        // so those two work even when the caller supplies no header lookup.
        if (name.Equals("Referer", StringComparison.OrdinalIgnoreCase))
        {
            return (StringBuilder o, in AccessLogEntry e) => AppendEscaped(o, e.Referer ?? e.RequestHeaders?.Invoke(name));
        }
        if (name.Equals("User-Agent", StringComparison.OrdinalIgnoreCase))
        {
            return (StringBuilder o, in AccessLogEntry e) => AppendEscaped(o, e.UserAgent ?? e.RequestHeaders?.Invoke(name));
        }
        return (StringBuilder o, in AccessLogEntry e) => AppendEscaped(o, e.RequestHeaders?.Invoke(name));
    }

    private static LogFieldWriter ResponseHeader(string name)
    {
        if (name.Equals("Content-Type", StringComparison.OrdinalIgnoreCase))
        {
            // Apache logs the media type alone, without "; charset=..." and other parameters.
            return (StringBuilder o, in AccessLogEntry e) =>
            {
                string? value = e.ResponseHeaders?.Invoke(name);
                if (value == null)
                {
                    o.Append('-');
                    return;
                }
                int semicolon = value.IndexOf(';', StringComparison.Ordinal);
                LogItemEscaper.Append(o, (semicolon < 0 ? value : value.AsSpan(0, semicolon)).TrimEnd());
            };
        }
        return (StringBuilder o, in AccessLogEntry e) => AppendEscaped(o, e.ResponseHeaders?.Invoke(name));
    }

    /// <summary>%t and %{format}t: the prefixes and keywords as Apache reads them.</summary>
    private static LogFieldWriter Time(string? argument, Func<string, FormatException> fail)
    {
        string format = argument ?? "";
        bool end = false;
        if (format.StartsWith("begin", StringComparison.Ordinal) && (format.Length == 5 || format[5] == ':'))
        {
            format = format.Length == 5 ? "" : format[6..];
        }
        else if (format.StartsWith("end", StringComparison.Ordinal) && (format.Length == 3 || format[3] == ':'))
        {
            format = format.Length == 3 ? "" : format[4..];
            end = true;
        }
        switch (format)
        {
            case "":
                return end
                    ? static (StringBuilder o, in AccessLogEntry e) => AppendClfTime(o, e.Time + e.Duration)
                    : static (StringBuilder o, in AccessLogEntry e) => AppendClfTime(o, e.Time);
            case "sec":
                return (StringBuilder o, in AccessLogEntry e) => o.Append(EpochMicroseconds(e, end) / 1_000_000);
            case "msec":
                return (StringBuilder o, in AccessLogEntry e) => o.Append(EpochMicroseconds(e, end) / 1000);
            case "usec":
                return (StringBuilder o, in AccessLogEntry e) => o.Append(EpochMicroseconds(e, end));
            case "msec_frac":
                return (StringBuilder o, in AccessLogEntry e) => AppendPadded(o, EpochMicroseconds(e, end) / 1000 % 1000, 3);
            case "usec_frac":
                return (StringBuilder o, in AccessLogEntry e) => AppendPadded(o, EpochMicroseconds(e, end) % 1_000_000, 6);
        }
        if (!StrftimeFormat.TryParse(format, out StrftimeFormat? strftime, out string? error))
        {
            throw fail(error!);
        }
        return end
            ? (StringBuilder o, in AccessLogEntry e) => strftime!.Append(o, e.Time + e.Duration)
            : (StringBuilder o, in AccessLogEntry e) => strftime!.Append(o, e.Time);
    }

    /// <summary>The common log format's time: [10/Oct/2000:13:55:36 -0700].</summary>
    private static void AppendClfTime(StringBuilder o, DateTimeOffset time)
    {
        DateTime t = time.DateTime;
        o.Append('[');
        StrftimeFormat.AppendTwoDigits(o, t.Day);
        o.Append('/').Append(StrftimeFormat.MonthNames[t.Month - 1], 0, 3).Append('/').Append(t.Year).Append(':');
        StrftimeFormat.AppendTwoDigits(o, t.Hour);
        o.Append(':');
        StrftimeFormat.AppendTwoDigits(o, t.Minute);
        o.Append(':');
        StrftimeFormat.AppendTwoDigits(o, t.Second);
        o.Append(' ');
        StrftimeFormat.AppendOffset(o, time.Offset);
        o.Append(']');
    }

    private static long Microseconds(TimeSpan duration) => duration.Ticks / 10;

    /// <summary>Microseconds since the Unix epoch (Apache's apr_time_t) at the request's start or end.</summary>
    private static long EpochMicroseconds(in AccessLogEntry e, bool end) =>
        (e.Time.UtcTicks + (end ? e.Duration.Ticks : 0) - UnixEpochTicks) / 10;

    private static void AppendPadded(StringBuilder o, long value, int width)
    {
        int digits = 1;
        for (long rest = value / 10; rest > 0; rest /= 10)
        {
            digits++;
        }
        o.Append('0', Math.Max(0, width - digits)).Append(value);
    }

    /// <summary>The CLF convention for counts and statuses: "-" instead of zero.</summary>
    private static void AppendCount(StringBuilder o, long value)
    {
        if (value <= 0)
        {
            o.Append('-');
        }
        else
        {
            o.Append(value);
        }
    }

    private static void AppendPort(StringBuilder o, int port)
    {
        if (port <= 0)
        {
            o.Append('-');
        }
        else
        {
            o.Append(port);
        }
    }

    /// <summary>The part the caller filled in; when it did not, the part cut out of the request line.</summary>
    private static void AppendRequestPart(StringBuilder o, string? parsed, string? requestLine, Func<string?, ReadOnlySpan<char>> cut)
    {
        if (parsed != null)
        {
            LogItemEscaper.Append(o, parsed);
        }
        else
        {
            AppendEscaped(o, cut(requestLine));
        }
    }

    private static void AppendEscaped(StringBuilder o, string? value)
    {
        if (value == null)
        {
            o.Append('-');
        }
        else
        {
            LogItemEscaper.Append(o, value);
        }
    }

    private static void AppendEscaped(StringBuilder o, ReadOnlySpan<char> value)
    {
        if (value.IsEmpty)
        {
            o.Append('-');
        }
        else
        {
            LogItemEscaper.Append(o, value);
        }
    }

    /// <summary>An address formatted without allocating; <paramref name="fallback"/> (escaped) when there is none.</summary>
    private static void AppendAddress(StringBuilder o, IPAddress? address, string? fallback)
    {
        if (address == null)
        {
            AppendEscaped(o, fallback);
            return;
        }
        Span<char> text = stackalloc char[64];
        if (!address.TryFormat(text, out int written))
        {
            o.Append(address.ToString());
            return;
        }
        // Dual-stack sockets report IPv4 clients as ::ffff:a.b.c.d; Apache logs a.b.c.d.
        // Slicing the text avoids MapToIPv4's allocation.
        ReadOnlySpan<char> shown = text[..written];
        if (address.IsIPv4MappedToIPv6 && shown.LastIndexOf(':') is int colon and >= 0)
        {
            shown = shown[(colon + 1)..];
        }
        o.Append(shown);
    }

    private static string? Lookup(IReadOnlyList<KeyValuePair<string, string>>? variables, string name)
    {
        if (variables == null)
        {
            return null;
        }
        for (int i = 0; i < variables.Count; i++)
        {
            if (variables[i].Key.Equals(name, StringComparison.OrdinalIgnoreCase))
            {
                return variables[i].Value;
            }
        }
        return null;
    }

    /// <summary>
    /// A cookie's value as Apache's %C finds it: "name=value" pairs split on ';', names matched
    /// case-insensitively, blanks around names and values dropped, pairs with an empty name or
    /// value skipped. Quoted values and ',' separators (RFC 2965) are not understood, as in Apache.
    /// </summary>
    private static ReadOnlySpan<char> Cookie(in AccessLogEntry entry, string name)
    {
        string? header = entry.RequestHeaders?.Invoke("Cookie");
        if (header == null)
        {
            return default;
        }
        foreach (Range range in header.AsSpan().Split(';'))
        {
            ReadOnlySpan<char> pair = header.AsSpan()[range];
            int equals = pair.IndexOf('=');
            if (equals < 0)
            {
                continue;
            }
            ReadOnlySpan<char> key = pair[..equals].Trim(" \t").TrimEnd();
            ReadOnlySpan<char> value = pair[(equals + 1)..].TrimStart(" \t").TrimEnd();
            if (!key.IsEmpty && !value.IsEmpty && key.Equals(name, StringComparison.OrdinalIgnoreCase))
            {
                return value;
            }
        }
        return default;
    }
}
