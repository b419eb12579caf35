using System.IO.Compression;
using WsgiHost.Configuration.Model;

namespace WsgiHost.Compression;

/// <summary>The encoders of the content codings, at Apache's defaults unless the settings say otherwise.</summary>
internal static class CompressedEncoding
{
    /// <summary>zlib's default level, which mod_deflate uses unless DeflateCompressionLevel says otherwise.</summary>
    public const int DefaultDeflateLevel = 6;

    /// <summary>mod_brotli's default BrotliCompressionQuality.</summary>
    public const int DefaultBrotliQuality = 5;

    /// <summary>An encoder writing into <paramref name="output"/>, which it leaves open.</summary>
    public static Stream Create(Stream output, ContentCodings coding, int level) =>
        coding == ContentCodings.Brotli
            ? new BrotliStream(output, new BrotliCompressionOptions { Quality = level }, leaveOpen: true)
            : new GZipStream(output, new ZLibCompressionOptions { CompressionLevel = level }, leaveOpen: true);
}
