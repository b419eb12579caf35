using WsgiHost.Configuration.Model;
using WsgiHost.Configuration.Syntax;

namespace WsgiHost.Configuration.Directives;

/// <summary>
/// Compressed responses as mod_deflate and mod_brotli make them, chosen the way Apache 2.4
/// chooses them: <c>AddOutputFilterByType DEFLATE text/html ...</c> (mod_filter),
/// <c>SetOutputFilter DEFLATE</c> for every type, or mod_mime's <c>AddOutputFilter DEFLATE css
/// js</c> by file extension, in any scope, with the level and note directives. Debian's stock
/// deflate.conf is the first form, so a moved site compresses as before instead of sending its
/// pages several times larger. Other filters are errors, as before.
/// </summary>
internal static class CompressionDirectives
{
    private const DirectiveScope SV = DirectiveScope.ServerAndVirtualHost;

    /// <summary>Tuning of zlib's and brotli's memory, and of the INFLATE input filter (not supported): read and not used.</summary>
    private static readonly string[] Tuning =
    [
        "DeflateBufferSize", "DeflateMemLevel", "DeflateWindowSize",
        "DeflateInflateLimitRequestBody", "DeflateInflateRatioLimit", "DeflateInflateRatioBurst",
        "BrotliCompressionWindow", "BrotliCompressionMaxInputBlock",
    ];

    public static IEnumerable<DirectiveSpec> All() =>
    [
        new("AddOutputFilterByType", DirectiveScope.Anywhere, 2, -1, "filter[;filter...] media-type [media-type] ...", AddOutputFilterByType),
        new("SetOutputFilter", DirectiveScope.Anywhere, 1, 1, "filter[;filter...]", SetOutputFilter),
        new("AddOutputFilter", DirectiveScope.Anywhere, 2, -1, "filter[;filter...] extension [extension] ...", AddOutputFilter),
        // mod_brotli's twin takes the same arguments; a response has one coding, so one set of notes serves both.
        new("DeflateFilterNote", SV, 1, 2, "[type] notename", FilterNote),
        new("BrotliFilterNote", SV, 1, 2, "[type] notename", FilterNote),
        new("DeflateCompressionLevel", SV, 1, 1, "value", (n, c) => Level(n, c, 1, 9, (s, v) => s with { DeflateCompressionLevel = v })),
        new("BrotliCompressionQuality", SV, 1, 1, "value", (n, c) => Level(n, c, 0, 11, (s, v) => s with { BrotliCompressionQuality = v })),
        // mod_deflate appends "-gzip" to a compressed response's ETag, so If-None-Match never
        // matches again (Apache bug 45023); WsgiHost makes it weak instead, as nginx does.
        new("DeflateAlterETag", SV, 1, 1, "AddSuffix|NoChange|Remove", (n, c) => c.Note(n, "a compressed response's ETag is made weak (W/\"...\"), so revalidation still matches; the setting is not used")),
        new("BrotliAlterETag", SV, 1, 1, "AddSuffix|NoChange|Remove", (n, c) => c.Note(n, "a compressed response's ETag is made weak (W/\"...\"), so revalidation still matches; the setting is not used")),
        .. Tuning.Select(name => new DirectiveSpec(name, SV, 1, 2, "...",
            (n, c) => c.Note(n, "tunes Apache itself; WsgiHost accepts it and does not use it"))),
    ];

    private static void AddOutputFilterByType(ConfigNode node, BuildContext context)
    {
        if (Filters(node, context, node.Arguments[0]) is not ContentCodings codings)
        {
            return;
        }
        var rules = new List<OutputFilterRule>();
        foreach (string type in node.Arguments.Skip(1))
        {
            string media = MediaType(type);
            int slash = media.IndexOf('/');
            if (slash <= 0 || slash == media.Length - 1 || media.Contains('*'))
            {
                context.Error(node, $"'{type}' is not a media type", "name each type whole, as in AddOutputFilterByType DEFLATE text/html text/css application/javascript");
                return;
            }
            if (IsCompressedAlready(media))
            {
                context.Warning(node, $"'{type}' is a compressed format already: encoding it again costs CPU on every response and saves nothing",
                    $"remove {type} from the line");
            }
            rules.Add(new OutputFilterRule(codings, media));
        }
        context.PerDir.Value = context.PerDir.Value with { OutputFilterByType = AppendOnlyList<OutputFilterRule>.Append(context.PerDir.Value.OutputFilterByType, [.. rules]) };
    }

    /// <summary>
    /// mod_mime's <c>AddOutputFilter DEFLATE js css</c>: the filters for files with those
    /// extensions (with or without the dot, any case), as W3 Total Cache and many tutorials
    /// write it next to AddOutputFilterByType.
    /// </summary>
    private static void AddOutputFilter(ConfigNode node, BuildContext context)
    {
        if (Filters(node, context, node.Arguments[0]) is not ContentCodings codings)
        {
            return;
        }
        var rules = new List<OutputFilterRule>();
        foreach (string argument in node.Arguments.Skip(1))
        {
            string extension = argument.TrimStart('.').ToLowerInvariant();
            if (extension.Length == 0 || extension.IndexOfAny(['/', '.', '*']) >= 0)
            {
                context.Error(node, $"'{argument}' is not a file extension", "name extensions, as in AddOutputFilter DEFLATE js css html");
                return;
            }
            rules.Add(new OutputFilterRule(codings, extension));
        }
        context.PerDir.Value = context.PerDir.Value with { OutputFilterByExtension = OutputFilterRule.OverlayByExtension(context.PerDir.Value.OutputFilterByExtension, rules) };
    }

    /// <summary>
    /// <c>DeflateFilterNote [Input|Output|Ratio] name</c>; without a type, the ratio (Apache's
    /// default). Each type's later line replaces its name; the log reads them as <c>%{name}n</c>.
    /// </summary>
    private static void FilterNote(ConfigNode node, BuildContext context)
    {
        string type = node.Arguments.Count == 2 ? node.Arguments[0] : "Ratio";
        string name = node.Arguments[^1];
        CompressionNotes notes = context.PerDir.Value.CompressionNotes ?? new CompressionNotes(null, null, null);
        CompressionNotes? updated = type.ToLowerInvariant() switch
        {
            "input" => notes with { Input = name },
            "output" => notes with { Output = name },
            "ratio" => notes with { Ratio = name },
            _ => null,
        };
        if (updated == null)
        {
            context.Error(node, $"the note type must be Input, Output or Ratio, got '{type}'", $"{node.Name} Ratio ratio");
            return;
        }
        context.PerDir.Value = context.PerDir.Value with { CompressionNotes = updated };
    }

    private static void SetOutputFilter(ConfigNode node, BuildContext context)
    {
        if (Filters(node, context, node.Arguments[0]) is ContentCodings codings)
        {
            context.PerDir.Value = context.PerDir.Value with { SetOutputFilter = codings };
        }
    }

    /// <summary>
    /// <c>DEFLATE;BROTLI_COMPRESS</c>: the codings the filters make; null after reporting a filter
    /// that is not one of them (INCLUDES, SUBSTITUTE, ...: they change the body, so a config
    /// that relies on them must not start as if they ran).
    /// </summary>
    private static ContentCodings? Filters(ConfigNode node, BuildContext context, string list)
    {
        ContentCodings codings = ContentCodings.None;
        foreach (string filter in list.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (filter.Equals("DEFLATE", StringComparison.OrdinalIgnoreCase))
            {
                codings |= ContentCodings.Gzip;
            }
            else if (filter.Equals("BROTLI_COMPRESS", StringComparison.OrdinalIgnoreCase))
            {
                codings |= ContentCodings.Brotli;
            }
            else
            {
                context.Error(node, $"the output filter '{filter}' is not supported (WsgiHost has DEFLATE and BROTLI_COMPRESS)",
                    "remove the filter; do what it did in the app or in a proxy in front");
                return null;
            }
        }
        if (codings == ContentCodings.None)
        {
            context.Error(node, "names no output filter", $"{node.Name} DEFLATE ...");
            return null;
        }
        return codings;
    }

    private static void Level(ConfigNode node, BuildContext context, int min, int max, Func<PerDirSettings, int, PerDirSettings> with)
    {
        if (context.Number(node, node.Name, node.Arguments[0], min, max) is long value)
        {
            context.PerDir.Value = with(context.PerDir.Value, (int)value);
        }
    }

    /// <summary>Images, audio, video, archives and web fonts, whose bytes are compressed by their format (SVG and icons are not).</summary>
    internal static bool IsCompressedAlready(string media) =>
        media is "application/zip" or "application/gzip" or "application/x-gzip" or "application/x-bzip2" or "application/x-xz"
            or "application/zstd" or "application/x-7z-compressed" or "application/vnd.rar" or "application/x-rar-compressed"
            or "font/woff" or "font/woff2" or "application/font-woff"
        || (media.StartsWith("image/", StringComparison.Ordinal) && media is not ("image/svg+xml" or "image/x-icon" or "image/vnd.microsoft.icon" or "image/bmp"))
        || media.StartsWith("audio/", StringComparison.Ordinal) || media.StartsWith("video/", StringComparison.Ordinal);

    /// <summary>The media type without its parameters, in lower case: <c>text/html; charset=utf-8</c> → <c>text/html</c>.</summary>
    internal static string MediaType(string contentType)
    {
        int semicolon = contentType.IndexOf(';');
        return (semicolon < 0 ? contentType : contentType[..semicolon]).Trim().ToLowerInvariant();
    }
}
