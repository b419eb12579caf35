using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Net.Http.Headers;
using WsgiHost.Configuration.Model;
using WsgiHost.Metadata;
using WsgiHost.Python.Runtime;
using WsgiHost.StaticFiles;

namespace WsgiHost.Server;

/// <summary>What an application asked for with X-Sendfile (or X-Sendfile-Temporary), in a scope with XSendFile On.</summary>
/// <param name="Value">The header's value: the file's name, still URL-encoded.</param>
/// <param name="Temporary">X-Sendfile-Temporary: the file is deleted once sent, and must lie in an XSendFilePath with AllowFileDelete.</param>
internal sealed record XSendFileRequest(string Value, bool Temporary, XSendFileConfig Config, string? ScriptDirectory, IErrorLog? Log);

/// <summary>
/// mod_xsendfile: an application's 200 response that names a file in X-Sendfile is sent as
/// that file, read by the server (sendfile(2) where the connection allows), instead of the
/// body the application wrote, which is dropped. What Django's and Flask's "protected
/// download" backends use on Apache: the app checks who may download, the server moves the
/// bytes, and no Python code runs for them: a daemon worker is free once its response head is
/// read, and an embedded WSGI thread once the transport's buffer is full (a slow client holds
/// none). Embedded mode applies it in the exchange once the app returns; daemon mode in the
/// front, which reads the worker's response head and drains its body.
/// </summary>
internal static class XSendFileResponse
{
    /// <summary>The request's X-Sendfile, when XSendFile is On for it and the response is a 200 that carries one; else null.</summary>
    public static XSendFileRequest? Find(HttpContext context, int status, IReadOnlyList<KeyValuePair<string, string>> headers) =>
        status == StatusCodes.Status200OK
        && context.Features.Get<RequestMetadata>() is { XSendFile: { } config } metadata
        && XSendFileTarget.Named(status, headers) is var (value, temporary)
            ? new XSendFileRequest(value, temporary, config, metadata.ScriptDirectory, metadata.Log)
            : null;

    /// <summary>
    /// The application's headers that do not go out with the file: the X-Sendfile headers
    /// themselves, and the length and coding of the body that was dropped.
    /// </summary>
    public static bool Replaces(string name) =>
        name.Equals(XSendFileTarget.Header, StringComparison.OrdinalIgnoreCase)
        || name.Equals(XSendFileTarget.TemporaryHeader, StringComparison.OrdinalIgnoreCase)
        || name.Equals(HeaderNames.ContentLength, StringComparison.OrdinalIgnoreCase)
        || name.Equals(HeaderNames.ContentEncoding, StringComparison.OrdinalIgnoreCase)
        || WsgiDispatch.IsFramingHeader(name);

    /// <summary>
    /// Sends the file with the application's other headers (already on the response): its
    /// Content-Type, and its ETag and Last-Modified unless XSendFileIgnoreEtag or
    /// XSendFileIgnoreLastModified, else the file's. Conditional requests and ranges are
    /// answered as for a static file. A name that cannot be decoded is a 500, one outside every
    /// allowed folder or that cannot be opened as a regular file a 404, each logged with the
    /// reason, as mod_xsendfile does.
    /// </summary>
    /// <returns>The response body bytes sent.</returns>
    public static async Task<long> SendAsync(HttpContext context, XSendFileRequest request)
    {
        // The status is the file's now (200, 206, 304...): not with the app's reason phrase.
        if (context.Features.Get<IHttpResponseFeature>() is { } feature)
        {
            feature.ReasonPhrase = null;
        }
        XSendFileConfig config = request.Config;
        string? name = XSendFileTarget.Decode(request.Value, config.Unescape != false);
        if (name == null)
        {
            Log(context, request, $"xsendfile: bad file name encoding in '{request.Value}' (a '%' needs two hex digits, and '/' and NUL may not be encoded); send the path with real slashes, or set XSendFileUnescape Off if the name is not URL-encoded");
            return await FileResponse.ErrorAsync(context, StatusCodes.Status500InternalServerError).ConfigureAwait(false);
        }
        IEnumerable<string> roots = request.Temporary
            ? config.Paths.Where(p => p.AllowFileDelete).Select(p => p.Path)
            : (request.ScriptDirectory is { } own ? [own] : Enumerable.Empty<string>()).Concat(config.Paths.Select(p => p.Path));
        string? path = XSendFileTarget.Resolve(name, roots);
        if (path == null)
        {
            Log(context, request, request.Temporary
                ? $"xsendfile: unable to find file: {name} is in no XSendFilePath with AllowFileDelete; X-Sendfile-Temporary deletes the file, so its folder must be named as 'XSendFilePath DIR AllowFileDelete'"
                : $"xsendfile: unable to find file: {name} is neither in the script's folder ({request.ScriptDirectory ?? "none"}) nor in an XSendFilePath; add 'XSendFilePath DIR' for the folder it is in");
            return await FileResponse.ErrorAsync(context, StatusCodes.Status404NotFound).ConfigureAwait(false);
        }
        FileSnapshot file;
        try
        {
            if (Directory.Exists(path))
            {
                throw new IOException("it is a directory");
            }
            file = FileSnapshot.Open(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Log(context, request, $"xsendfile: cannot open file: {path}: {e.Message}");
            return await FileResponse.ErrorAsync(context, StatusCodes.Status404NotFound).ConfigureAwait(false);
        }
        try
        {
            using (file)
            {
                file.UseValidators(AppETag(context.Response.Headers, config), AppLastModified(context.Response.Headers, config));
                await FileResponse.ServeAsync(context, file, type: null).ConfigureAwait(false);
            }
        }
        finally
        {
            if (request.Temporary)
            {
                Delete(context, request, path);
            }
        }
        return HttpMethods.IsHead(context.Request.Method) ? 0 : context.Response.ContentLength ?? 0;
    }

    private static EntityTag? AppETag(IHeaderDictionary headers, XSendFileConfig config)
    {
        string? value = headers.ETag.Count == 1 ? headers.ETag[0] : null;
        if (config.IgnoreETag == true)
        {
            headers.Remove(HeaderNames.ETag);
            return null;
        }
        return value == null ? null : EntityTag.TryParse(value);
    }

    private static DateTimeOffset? AppLastModified(IHeaderDictionary headers, XSendFileConfig config)
    {
        string? value = headers.LastModified.Count == 1 ? headers.LastModified[0] : null;
        if (config.IgnoreLastModified == true)
        {
            headers.Remove(HeaderNames.LastModified);
            return null;
        }
        return value != null && HeaderUtilities.TryParseDate(value, out DateTimeOffset date) ? date : null;
    }

    private static void Delete(HttpContext context, XSendFileRequest request, string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Log(context, request, $"xsendfile: could not delete the temporary file {path}: {e.Message}");
        }
    }

    private static void Log(HttpContext context, XSendFileRequest request, string message) =>
        request.Log?.Write(ErrorLogLevel.Error, "xsendfile", $"[client {WsgiDispatch.Client(context)}] {message}");
}
