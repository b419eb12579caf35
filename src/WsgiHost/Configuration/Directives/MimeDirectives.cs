using WsgiHost.Configuration.Model;
using WsgiHost.Configuration.Syntax;

namespace WsgiHost.Configuration.Directives;

/// <summary>
/// mod_mime's <c>AddType media-type extension ...</c> (in any scope; before /etc/mime.types for
/// the extensions it names), <c>AddCharset</c>, <c>AddLanguage</c>, <c>DefaultLanguage</c>, the
/// <c>Remove*</c> lines that undo them, and <c>ForceType</c> (in a section: every file there one
/// type), for the files WsgiHost serves itself: an app's responses keep the Content-Type the app
/// gives, as mod_wsgi's do. And core's <c>AddDefaultCharset</c>, which applies to every response.
/// </summary>
internal static class MimeDirectives
{
    public static IEnumerable<DirectiveSpec> All() =>
    [
        new("AddType", DirectiveScope.Anywhere, 2, -1, "media-type extension [extension] ...", AddType),
        new("ForceType", DirectiveScope.Section, 1, 1, "media-type|None", ForceType),
        new("AddCharset", DirectiveScope.Anywhere, 2, -1, "charset extension [extension] ...", (n, c) => Add(n, c, MimeTable.Charsets, "charset", "AddCharset UTF-8 .utf8")),
        new("AddLanguage", DirectiveScope.Anywhere, 2, -1, "language-tag extension [extension] ...", (n, c) => Add(n, c, MimeTable.Languages, "language tag", "AddLanguage en .en")),
        new("AddEncoding", DirectiveScope.Anywhere, 2, -1, "encoding extension [extension] ...", (n, c) => Add(n, c, MimeTable.Encodings, "content coding", "AddEncoding gzip .svgz")),
        new("RemoveEncoding", DirectiveScope.Anywhere, 1, -1, "extension [extension] ...", (n, c) => Remove(n, c, MimeTable.Encodings)),
        new("RemoveType", DirectiveScope.Anywhere, 1, -1, "extension [extension] ...", (n, c) => Remove(n, c, MimeTable.Types)),
        new("RemoveCharset", DirectiveScope.Anywhere, 1, -1, "extension [extension] ...", (n, c) => Remove(n, c, MimeTable.Charsets)),
        new("RemoveLanguage", DirectiveScope.Anywhere, 1, -1, "extension [extension] ...", (n, c) => Remove(n, c, MimeTable.Languages)),
        new("DefaultLanguage", DirectiveScope.Anywhere, 1, 1, "language-tag", DefaultLanguage),
        new("AddDefaultCharset", DirectiveScope.Anywhere, 1, 1, "On|Off|charset", AddDefaultCharset),
        new("AddHandler", DirectiveScope.Anywhere, 2, -1, "handler-name extension [extension] ...", AddHandler),
    ];

    /// <summary>Apache's name for the charset <c>AddDefaultCharset On</c> adds.</summary>
    public const string OnCharset = "iso-8859-1";

    private static void AddType(ConfigNode node, BuildContext context)
    {
        if (!IsMediaType(node.Arguments[0]))
        {
            context.Error(node, $"'{node.Arguments[0]}' is not a media type", "AddType application/wasm .wasm");
            return;
        }
        Set(context, MimeTable.Types, node.Arguments.Skip(1), node.Arguments[0]);
    }

    private static void Add(ConfigNode node, BuildContext context, MimeTable table, string what, string example)
    {
        if (!Python.Wsgi.ResponseRules.IsToken(node.Arguments[0]))
        {
            context.Error(node, $"'{node.Arguments[0]}' is not a {what}", example);
            return;
        }
        Set(context, table, node.Arguments.Skip(1), node.Arguments[0]);
    }

    private static void Remove(ConfigNode node, BuildContext context, MimeTable table) =>
        Set(context, table, node.Arguments, null);

    private static void Set(BuildContext context, MimeTable table, IEnumerable<string> extensions, string? value) =>
        context.PerDir.Value = context.PerDir.Value with { Mime = context.PerDir.Value.Mime.With(table, extensions, value) };

    /// <summary>
    /// No handler is chosen by extension in WsgiHost. A type map (Debian's stock mime.conf has
    /// <c>AddHandler type-map var</c>) holds only file names and types, so sending it as it is
    /// gives nothing away: a warning. A script (CGI, or mod_wsgi's <c>wsgi-script</c>) would be
    /// sent as source text instead of run: an error.
    /// </summary>
    private static void AddHandler(ConfigNode node, BuildContext context)
    {
        string handler = node.Arguments[0];
        string extensions = string.Join(" ", node.Arguments.Skip(1).Select(e => "." + e.TrimStart('.')));
        if (handler.Equals("type-map", StringComparison.OrdinalIgnoreCase))
        {
            context.Warning(node, $"type maps (mod_negotiation) are not read: a URL of a file ending in {extensions} gets the file as it is",
                "remove the line unless the site serves type maps (Debian's stock mime.conf has it for Apache's own multi-language pages)");
            return;
        }
        context.Error(node, $"AddHandler {handler}: WsgiHost does not choose a handler by file extension, so such files would be sent as their source text",
            handler.Equals("wsgi-script", StringComparison.OrdinalIgnoreCase)
                ? "map each script with WSGIScriptAlias /url /path/to/script.wsgi (or WSGIScriptAliasMatch for a folder of them)"
                : "serve the program as a WSGI app with WSGIScriptAlias, or remove the line");
    }

    private static void DefaultLanguage(ConfigNode node, BuildContext context)
    {
        if (!Python.Wsgi.ResponseRules.IsToken(node.Arguments[0]))
        {
            context.Error(node, $"'{node.Arguments[0]}' is not a language tag", "DefaultLanguage en");
            return;
        }
        context.PerDir.Value = context.PerDir.Value with { Mime = context.PerDir.Value.Mime with { DefaultLanguage = node.Arguments[0] } };
    }

    private static void AddDefaultCharset(ConfigNode node, BuildContext context)
    {
        string value = node.Arguments[0];
        if (!Python.Wsgi.ResponseRules.IsToken(value))
        {
            context.Error(node, $"'{value}' is not a charset", "AddDefaultCharset UTF-8, On (iso-8859-1) or Off");
            return;
        }
        string charset = value.Equals("On", StringComparison.OrdinalIgnoreCase) ? OnCharset
            : value.Equals("Off", StringComparison.OrdinalIgnoreCase) ? ""
            : value;
        context.PerDir.Value = context.PerDir.Value with { DefaultCharset = charset };
    }

    private static void ForceType(ConfigNode node, BuildContext context)
    {
        string type = node.Arguments[0];
        if (!type.Equals("None", StringComparison.OrdinalIgnoreCase) && !IsMediaType(type))
        {
            context.Error(node, $"'{type}' is not a media type", "ForceType text/plain, or ForceType None to undo an outer one");
            return;
        }
        context.PerDir.Value = context.PerDir.Value with { ForceType = type.Equals("None", StringComparison.OrdinalIgnoreCase) ? "" : type };
    }

    private static bool IsMediaType(string text)
    {
        int slash = text.IndexOf('/');
        return slash > 0 && slash < text.Length - 1 && !text.Contains('*') && !text.Contains(' ');
    }
}
