using WsgiHost.Configuration.Model;
using WsgiHost.Configuration.Syntax;

namespace WsgiHost.Configuration.Directives;

/// <summary>
/// mod_xsendfile (1.0): <c>XSendFile On</c> lets an application answer with a file the server
/// sends (the X-Sendfile header), <c>XSendFilePath DIR [AllowFileDelete]</c> names the folders
/// it may name files in, besides its script's own. What Django's and Flask's protected
/// downloads (django-sendfile's xsendfile backend, Flask's USE_X_SENDFILE) rely on.
/// </summary>
/// <remarks>
/// mod_xsendfile adds an XSendFilePath written inside a &lt;Directory&gt; to its virtual host's
/// list; here it applies where it is written (the requests whose sections include it), the
/// narrower reading: a path that is meant for every app of a host belongs at the host's level.
/// </remarks>
internal static class XSendFileDirectives
{
    public static IEnumerable<DirectiveSpec> All() =>
    [
        new("XSendFile", DirectiveScope.Anywhere, 1, 1, "On|Off", (node, context) => SetFlag(node, context, (c, on) => c with { Enabled = on, EnabledAt = node.Location })),
        new("XSendFilePath", DirectiveScope.Anywhere, 1, 2, "absolute-path [AllowFileDelete]", XSendFilePath),
        new("XSendFileUnescape", DirectiveScope.Anywhere, 1, 1, "On|Off", (node, context) => SetFlag(node, context, (c, on) => c with { Unescape = on })),
        new("XSendFileIgnoreEtag", DirectiveScope.Anywhere, 1, 1, "On|Off", (node, context) => SetFlag(node, context, (c, on) => c with { IgnoreETag = on })),
        new("XSendFileIgnoreLastModified", DirectiveScope.Anywhere, 1, 1, "On|Off", (node, context) => SetFlag(node, context, (c, on) => c with { IgnoreLastModified = on })),
    ];

    private static void SetFlag(ConfigNode node, BuildContext context, Func<XSendFileConfig, bool, XSendFileConfig> set)
    {
        if (context.Flag(node, node.Arguments[0]) is bool on)
        {
            PerDirSettings settings = context.PerDir.Value;
            context.PerDir.Value = settings with { XSendFile = set(settings.XSendFile, on) };
        }
    }

    private static void XSendFilePath(ConfigNode node, BuildContext context)
    {
        string path = node.Arguments[0];
        bool allowDelete = false;
        if (node.Arguments.Count == 2)
        {
            // mod_xsendfile compares the flag exactly (strcmp).
            if (node.Arguments[1] != "AllowFileDelete")
            {
                context.Error(node, $"'{node.Arguments[1]}' is not an option of XSendFilePath", $"XSendFilePath {path} AllowFileDelete  (to let X-Sendfile-Temporary delete the files it sends), or the path alone");
                return;
            }
            allowDelete = true;
        }
        if (!Path.IsPathRooted(path))
        {
            context.Error(node, $"XSendFilePath needs an absolute path, got '{path}'", $"XSendFilePath /srv/app/private");
            return;
        }
        PerDirSettings settings = context.PerDir.Value;
        XSendFileConfig own = settings.XSendFile;
        context.PerDir.Value = settings with { XSendFile = own with { Paths = [.. own.Paths, new(Path.TrimEndingDirectorySeparator(Path.GetFullPath(path)), allowDelete)] } };
    }
}
