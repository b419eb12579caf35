using WsgiHost.Configuration.Syntax;

namespace WsgiHost.Configuration.Directives;

/// <summary>
/// mod_mime's <c>AddType media-type extension ...</c> (in any scope; before /etc/mime.types for
/// the extensions it names) and <c>ForceType</c> (in a section: every file there one type), for
/// the files WsgiHost serves itself. An app's responses keep the Content-Type the app gives.
/// </summary>
internal static class MimeDirectives
{
    public static IEnumerable<DirectiveSpec> All() =>
    [
        new("AddType", DirectiveScope.Anywhere, 2, -1, "media-type extension [extension] ...", AddType),
        new("ForceType", DirectiveScope.Section, 1, 1, "media-type|None", ForceType),
    ];

    private static void AddType(ConfigNode node, BuildContext context)
    {
        if (!IsMediaType(node.Arguments[0]))
        {
            context.Error(node, $"'{node.Arguments[0]}' is not a media type", "AddType application/wasm .wasm");
            return;
        }
        var types = new Dictionary<string, string>(context.PerDir.Value.AddType);
        foreach (string extension in node.Arguments.Skip(1))
        {
            types[extension.TrimStart('.').ToLowerInvariant()] = node.Arguments[0];
        }
        context.PerDir.Value = context.PerDir.Value with { AddType = types };
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
