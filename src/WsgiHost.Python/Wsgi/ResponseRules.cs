namespace WsgiHost.Python.Wsgi;

/// <summary>The checks start_response applies to what an application sends (PEP 3333, mod_wsgi).</summary>
internal static class ResponseRules
{
    /// <summary>
    /// "NNN reason": three digits (100-599), one space, a reason without control characters,
    /// which may be empty ("404 "), as HTTP's reason-phrase may be and mod_wsgi takes it.
    /// </summary>
    public static bool TryParseStatus(string status, out int code, out string reason, out string error)
    {
        code = 0;
        reason = "";
        if (status.Length < 4 || status[3] != ' ' || !char.IsAsciiDigit(status[0]) || !char.IsAsciiDigit(status[1]) || !char.IsAsciiDigit(status[2]))
        {
            error = $"status must be 3 digits, a space and a reason phrase, got {Quote(status)}";
            return false;
        }
        code = (status[0] - '0') * 100 + (status[1] - '0') * 10 + (status[2] - '0');
        if (code < 100 || code > 599)
        {
            error = $"status code must be between 100 and 599, got {Quote(status)}";
            return false;
        }
        foreach (char c in status.AsSpan(4))
        {
            if (c < 0x20 || c == 0x7f)
            {
                error = $"status contains a control character: {Quote(status)}";
                return false;
            }
        }
        reason = status[4..];
        error = "";
        return true;
    }

    /// <summary>A header name is an RFC 9110 token; a value has no CR, LF or other control character but tab.</summary>
    public static bool TryValidateHeader(string name, string value, out string error)
    {
        if (name.Length == 0)
        {
            error = "header name must not be empty";
            return false;
        }
        if (!IsToken(name))
        {
            char c = name.First(ch => !IsTokenChar(ch));
            error = $"header name {Quote(name)} contains an invalid character {Quote(c.ToString())}";
            return false;
        }
        foreach (char c in value)
        {
            if ((c < 0x20 && c != '\t') || c == 0x7f)
            {
                error = c is '\r' or '\n'
                    ? $"header {Quote(name)} value contains a CR or LF (response splitting)"
                    : $"header {Quote(name)} value contains a control character";
                return false;
            }
        }
        error = "";
        return true;
    }

    /// <summary>An RFC 9110 token (§5.6.2): a header name, a charset or language tag in a header value.</summary>
    public static bool IsToken(string text)
    {
        foreach (char c in text)
        {
            if (!IsTokenChar(c))
            {
                return false;
            }
        }
        return text.Length > 0;
    }

    private static bool IsTokenChar(char c) =>
        char.IsAsciiLetterOrDigit(c) || c is '!' or '#' or '$' or '%' or '&' or '\'' or '*' or '+' or '-' or '.' or '^' or '_' or '`' or '|' or '~';

    /// <summary>Content-Length as the app gave it; null when it is not a plain non-negative integer.</summary>
    public static long? ParseContentLength(string value)
    {
        string v = value.Trim();
        if (v.Length == 0 || v.Length > 18)
        {
            return null;
        }
        foreach (char c in v)
        {
            if (!char.IsAsciiDigit(c))
            {
                return null;
            }
        }
        return long.Parse(v, System.Globalization.CultureInfo.InvariantCulture);
    }

    internal static string Quote(string s) => "'" + s.Replace("\r", "\\r").Replace("\n", "\\n") + "'";
}
