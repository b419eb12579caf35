using System.Text;

namespace WsgiHost.Routing;

/// <summary>
/// A decoded URL path, held as WSGI holds it (each byte a latin-1 character), as the name of a
/// file. Linux names files with bytes, which .NET writes as UTF-8: /static/caf%C3%A9.jpg is the
/// bytes c3 a9, which as latin-1 characters would be encoded again into four bytes, a name no
/// file has. Apache hands the bytes to the file system as they are; this gives .NET the string
/// whose UTF-8 is those bytes.
/// </summary>
internal static class FileNames
{
    /// <summary>In a name, it makes one no file has.</summary>
    public const char NoFile = '\0';

    private static readonly UTF8Encoding Strict = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>
    /// The file-system string for a latin-1 byte string: as it is when all ASCII (the usual
    /// case). Bytes that are not UTF-8 (%E9, a latin-1 é) name no file .NET can open: they
    /// give a name with a NUL, which no file has, rather than the latin-1 characters, whose
    /// UTF-8 would be another name (caf%E9 would serve café).
    /// </summary>
    public static string FromUrl(string latin1)
    {
        if (Ascii.IsValid(latin1) || latin1.AsSpan().ContainsAnyExceptInRange('\0', '\u00ff'))
        {
            return latin1; // all ASCII, or not a byte string at all
        }
        try
        {
            return Strict.GetString(Encoding.Latin1.GetBytes(latin1));
        }
        catch (DecoderFallbackException)
        {
            return latin1 + NoFile;
        }
    }
}
