using System.Text;
using Microsoft.AspNetCore.Http;
using WsgiHost.Configuration.Model;
using WsgiHost.Python.Wsgi;
using WsgiHost.Routing;

namespace WsgiHost.Metadata;

/// <summary>An ErrorDocument's page for one response: its status (302 for a redirect), Location, type and body.</summary>
internal sealed record ErrorDocumentPage(int Status, string? Location, string ContentType, byte[] Body);

/// <summary>
/// The ErrorDocument in force for a request's error status, made into the page the server sends
/// in place of its own: every place that makes a server error page (the front, the file handler,
/// the embedded gateway, the daemon front for a worker's page) asks here first. A local URL is
/// served from the file it maps to (an Alias or the DocumentRoot), up to 1 MiB, with the error's
/// status; one that maps to no file (a WSGI application, say) falls back to the server's page,
/// with the reason in the error log. Finding such a file page also tells the request's Header
/// lines that it is no longer the server's own error page (<see cref="ResponseHeaderEditor.ServeErrorDocument"/>):
/// here, because every one of those places sends the page Find gives.
/// </summary>
internal static class ErrorDocuments
{
    private const int MaxFileBytes = 1 << 20;

    public static ErrorDocumentPage? Find(HttpContext context, int status)
    {
        if (context.Features.Get<RequestMetadata>() is not { ErrorDocuments.Count: > 0 } metadata
            || !metadata.ErrorDocuments.TryGetValue(status, out ErrorDocumentConfig? document))
        {
            return null;
        }
        switch (document.Kind)
        {
            case ErrorDocumentKind.Text:
                return new ErrorDocumentPage(status, null, ErrorPage.ContentType.Value, Encoding.UTF8.GetBytes(document.Value));
            case ErrorDocumentKind.Redirect:
                return new ErrorDocumentPage(StatusCodes.Status302Found, document.Value, ErrorPage.ContentType.Value, Server.RedirectResponse.Body(302, document.Value));
            case ErrorDocumentKind.LocalUrl:
                string path = document.Value.Split('?')[0];
                if (metadata.Mapper?.Map(path) is { IsStatic: true } mapped && new FileInfo(mapped.FilePath) is { Exists: true, Length: <= MaxFileBytes } file)
                {
                    try
                    {
                        string type = StaticFiles.MimeTypes.Default.Lookup(file.FullName) ?? "text/html";
                        var page = new ErrorDocumentPage(status, null, type, File.ReadAllBytes(file.FullName));
                        metadata.Editor?.ServeErrorDocument();
                        return page;
                    }
                    catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                    {
                        metadata.Log?.Write(Python.Runtime.ErrorLogLevel.Error, "core", $"ErrorDocument {status} {document.Value}: cannot read {file.FullName}: {e.Message}; the server's own page was sent");
                        return null;
                    }
                }
                metadata.Log?.Write(Python.Runtime.ErrorLogLevel.Error, "core",
                    $"ErrorDocument {status} {document.Value} maps to no file (WsgiHost serves an ErrorDocument from a file under an Alias or the DocumentRoot, up to 1 MiB); the server's own page was sent");
                return null;
            default:
                return null;
        }
    }

    /// <summary>Sends <paramref name="page"/>; returns the body's length.</summary>
    public static Task<long> WriteAsync(HttpContext context, ErrorDocumentPage page) =>
        Server.RedirectResponse.SendPageAsync(context, page.Status, page.ContentType, page.Body, page.Location);
}
