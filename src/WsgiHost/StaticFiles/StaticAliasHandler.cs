using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace WsgiHost.StaticFiles;

/// <summary>
/// Serves an Alias target the way Apache 2.4 does with its core default handler, mod_mime
/// and mod_dir (DirectorySlash On, DirectoryIndex, index.html by default; no autoindex):
/// GET/HEAD with ETag, Last-Modified, conditional requests and byte ranges; OPTIONS with Allow;
/// 405 for other known methods and 501 for unknown ones. The target may be a file (then only
/// the alias URL itself maps to it) or a directory (the rest of the URL maps inside it); it is
/// looked up on every request, so it may appear or change after startup.
/// </summary>
internal sealed class StaticAliasHandler
{
    /// <summary>
    /// What a static file accepts. Apache's default handler announces "GET,POST,OPTIONS,HEAD"
    /// because it would deliver POST to scripts, yet answers POST on a plain file with 405;
    /// RFC 9110 §15.5.6 wants Allow to list what the resource supports, so POST is left out.
    /// </summary>
    internal const string Allow = "GET, HEAD, POST, OPTIONS";

    /// <summary>mod_dir's DirectoryIndex default.</summary>
    private static readonly string[] s_defaultIndex = ["index.html"];

    /// <summary>
    /// Methods Apache's method registry knows; any other method reaches its default handler as
    /// M_INVALID and gets 501 Not Implemented rather than 405.
    /// </summary>
    private static readonly HashSet<string> s_knownMethods = new(StringComparer.Ordinal)
    {
        "GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH",
        "PROPFIND", "PROPPATCH", "MKCOL", "COPY", "MOVE", "LOCK", "UNLOCK",
        "VERSION-CONTROL", "CHECKOUT", "UNCHECKOUT", "CHECKIN", "UPDATE", "LABEL", "REPORT",
        "MKWORKSPACE", "MKACTIVITY", "BASELINE-CONTROL", "MERGE",
    };

    private readonly string _root;
    private readonly string _rootWithSlash;
    private readonly MimeTypes _types;

    public StaticAliasHandler(string target, MimeTypes types)
    {
        _root = Path.TrimEndingDirectorySeparator(Path.GetFullPath(target));
        _rootWithSlash = _root.EndsWith('/') ? _root : _root + "/";
        _types = types;
    }

    /// <param name="settings">The request's per-directory settings (DirectoryIndex, AddType, AddCharset, AddLanguage, ForceType, Options' symbolic links); null for none.</param>
    /// <param name="log">Where a refused symbolic link is logged.</param>
    public async Task HandleAsync(HttpContext context, string pathInfo, Configuration.Model.PerDirSettings? settings = null, Python.Runtime.IErrorLog? log = null)
    {
        HttpResponse response = context.Response;
        string method = context.Request.Method;
        string? full = Resolve(pathInfo);
        if (full == null)
        {
            await ErrorAsync(context, StatusCodes.Status404NotFound).ConfigureAwait(false);
            return;
        }
        string? file = full;
        if (Directory.Exists(full))
        {
            // mod_dir's fixup runs before any handler and for every method: a directory is
            // only addressed with a trailing slash, so relative links inside it resolve.
            if (!pathInfo.EndsWith('/'))
            {
                await RedirectAsync(context).ConfigureAwait(false);
                return;
            }
            file = null;
            foreach (string name in settings?.DirectoryIndex ?? s_defaultIndex)
            {
                string index = Path.Join(full, name);
                if (File.Exists(index))
                {
                    file = index;
                    break;
                }
            }
        }
        // Otherwise whether the file exists is asked only where the answer decides the status
        // (POST): a GET or HEAD learns it from the open (a missing file is 404 there), one
        // stat less a request.

        if (HttpMethods.IsOptions(method))
        {
            response.StatusCode = StatusCodes.Status200OK;
            response.Headers.Allow = Allow;
            response.ContentLength = 0;
            return;
        }
        // POST is served as GET, as Apache's core handler serves it (a form whose action is a
        // page, a script posting to a static JSON file); the body is left unread.
        bool isGetOrHead = HttpMethods.IsGet(method) || HttpMethods.IsHead(method);
        if (!isGetOrHead && !HttpMethods.IsPost(method))
        {
            // Apache refuses these without looking at the file: the resource cannot do them
            // whether or not it exists.
            await RefuseMethodAsync(context, method).ConfigureAwait(false);
            return;
        }
        if (file == null)
        {
            await ErrorAsync(context, StatusCodes.Status404NotFound).ConfigureAwait(false);
            return;
        }
        if (settings?.AllowOverride == true && AccessFiles.Find(_root, file) is { } accessFile)
        {
            log?.Write(Python.Runtime.ErrorLogLevel.Critical, "core", $"[client {Server.WsgiDispatch.Client(context)}] {AccessFiles.Refusal(accessFile)}");
            await ErrorAsync(context, StatusCodes.Status500InternalServerError).ConfigureAwait(false);
            return;
        }
        if (settings != null && settings.SymLinks != SymLinkRule.Follow && SymbolicLinks.Refused(_root, file, settings.SymLinks) is { } link)
        {
            log?.Write(Python.Runtime.ErrorLogLevel.Error, "core", $"[client {Server.WsgiDispatch.Client(context)}] AH00037: Symbolic link not allowed or link target not accessible: {link}");
            await ErrorAsync(context, StatusCodes.Status403Forbidden).ConfigureAwait(false);
            return;
        }

        FileSnapshot snapshot;
        try
        {
            snapshot = FileSnapshot.Open(file);
        }
        catch (UnauthorizedAccessException)
        {
            await ErrorAsync(context, StatusCodes.Status403Forbidden).ConfigureAwait(false);
            return;
        }
        catch (IOException)
        {
            // Missing (a GET is not checked before), or gone since the lookup.
            await ErrorAsync(context, StatusCodes.Status404NotFound).ConfigureAwait(false);
            return;
        }
        using (snapshot)
        {
            (string? type, string? language, string? encoding) = settings == null ? (_types.Lookup(snapshot.Path), null, null) : _types.MediaOf(snapshot.Path, settings);
            snapshot.TagWith(Configuration.Model.FileETagRule.InForce(settings?.FileETag));
            await FileResponse.ServeAsync(context, snapshot, type, language, encoding).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// The file-system path for pathInfo, or null when it cannot be a file under the target.
    /// The router has already removed dot segments and decoded the URL; this is the second
    /// line: any NUL, backslash or dot segment left means a router bug or an attack, and the
    /// lexical result must stay inside the target. Symlinks are not resolved here, so a link
    /// inside the target may point anywhere (Apache's default Options FollowSymLinks).
    /// </summary>
    private string? Resolve(string pathInfo)
    {
        if (pathInfo.Length > 0 && pathInfo[0] != '/')
        {
            return null;
        }
        if (pathInfo.AsSpan().IndexOfAny('\0', '\\') >= 0)
        {
            return null;
        }
        string fileName = Routing.FileNames.FromUrl(pathInfo);
        if (fileName.Contains(Routing.FileNames.NoFile))
        {
            return null;
        }
        foreach (Range segment in pathInfo.AsSpan().Split('/'))
        {
            ReadOnlySpan<char> name = pathInfo.AsSpan()[segment];
            if (name is "." or "..")
            {
                return null;
            }
        }
        string full = Path.GetFullPath(_root + fileName);
        string withoutSlash = Path.TrimEndingDirectorySeparator(full);
        if (withoutSlash != _root && !full.StartsWith(_rootWithSlash, StringComparison.Ordinal))
        {
            return null;
        }
        return full;
    }

    /// <summary>
    /// mod_dir's DirectorySlash redirect. The Location is the URL the client sent (its raw
    /// path, so the alias prefix and the client's own escaping survive) plus "/" and the query
    /// string. It is relative (RFC 9110 §10.2.2), where Apache builds an absolute URL from
    /// ServerName or Host: that is right even behind a proxy that terminates TLS.
    /// </summary>
    private static async Task RedirectAsync(HttpContext context)
    {
        string raw = context.Features.Get<IHttpRequestFeature>()?.RawTarget ?? "";
        if (!raw.StartsWith('/'))
        {
            // Absolute-form or missing: fall back on what ASP.NET Core parsed.
            raw = (context.Request.PathBase + context.Request.Path).ToUriComponent() + context.Request.QueryString.ToUriComponent();
        }
        int query = raw.IndexOf('?');
        string location = query < 0 ? raw + "/" : raw[..query] + "/" + raw[query..];

        // mod_dir redirects as an error response (ap_die): Header lines apply only with "always".
        await Server.RedirectResponse.WriteAsync(context, StatusCodes.Status301MovedPermanently, location).ConfigureAwait(false);
    }

    private static Task RefuseMethodAsync(HttpContext context, string method)
    {
        if (!s_knownMethods.Contains(method))
        {
            return ErrorAsync(context, StatusCodes.Status501NotImplemented);
        }
        context.Response.Headers.Allow = Allow;
        return ErrorAsync(context, StatusCodes.Status405MethodNotAllowed);
    }

    private static Task ErrorAsync(HttpContext context, int status) => Server.WsgiDispatch.ErrorAsync(context, status);
}
