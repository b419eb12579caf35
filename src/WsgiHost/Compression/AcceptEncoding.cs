using Microsoft.Extensions.Primitives;
using WsgiHost.Configuration.Model;

namespace WsgiHost.Compression;

/// <summary>
/// Which content coding a request's <c>Accept-Encoding</c> lets a response use (RFC 9110
/// §12.5.3): a coding named with a q-value above 0, or covered by <c>*</c> when not named.
/// mod_deflate looks for the token alone and compresses for <c>gzip;q=0</c> too; this does not.
/// </summary>
internal static class AcceptEncoding
{
    /// <summary>The coding of <paramref name="offered"/> the client prefers (brotli on a tie: smaller); None when it accepts neither.</summary>
    public static ContentCodings Choose(StringValues header, ContentCodings offered)
    {
        if (offered == ContentCodings.None || header.Count == 0)
        {
            return ContentCodings.None;
        }
        double gzip = -1, brotli = -1, any = -1;
        foreach (string? value in header)
        {
            if (value == null)
            {
                continue;
            }
            foreach (Range range in value.AsSpan().Split(','))
            {
                ReadOnlySpan<char> item = value.AsSpan(range);
                int semicolon = item.IndexOf(';');
                ReadOnlySpan<char> name = (semicolon < 0 ? item : item[..semicolon]).Trim();
                double q = semicolon < 0 ? 1 : Quality(item[(semicolon + 1)..]);
                if (name.Equals("gzip", StringComparison.OrdinalIgnoreCase) || name.Equals("x-gzip", StringComparison.OrdinalIgnoreCase))
                {
                    gzip = Math.Max(gzip, q);
                }
                else if (name.Equals("br", StringComparison.OrdinalIgnoreCase))
                {
                    brotli = Math.Max(brotli, q);
                }
                else if (name.SequenceEqual("*"))
                {
                    any = Math.Max(any, q);
                }
            }
        }
        gzip = (offered & ContentCodings.Gzip) == 0 ? 0 : gzip < 0 ? Math.Max(any, 0) : gzip;
        brotli = (offered & ContentCodings.Brotli) == 0 ? 0 : brotli < 0 ? Math.Max(any, 0) : brotli;
        if (brotli > 0 && brotli >= gzip)
        {
            return ContentCodings.Brotli;
        }
        return gzip > 0 ? ContentCodings.Gzip : ContentCodings.None;
    }

    /// <summary>The q parameter of <c>q=0.5;other=x</c>: 1 when absent, 0 when malformed (a coding the client may refuse is not used).</summary>
    private static double Quality(ReadOnlySpan<char> parameters)
    {
        foreach (Range range in parameters.Split(';'))
        {
            ReadOnlySpan<char> parameter = parameters[range].Trim();
            if (parameter.Length >= 2 && (parameter[0] is 'q' or 'Q') && parameter[1] == '=')
            {
                return double.TryParse(parameter[2..], System.Globalization.NumberStyles.AllowDecimalPoint, System.Globalization.CultureInfo.InvariantCulture, out double q) && q <= 1 ? q : 0;
            }
        }
        return 1;
    }
}
