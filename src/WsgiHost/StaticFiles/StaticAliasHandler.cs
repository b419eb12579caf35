using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.StaticFiles;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.AspNetCore.Hosting;

namespace WsgiHost.StaticFiles;

/// <summary>
/// Serves an Alias target with ASP.NET Core's static file middleware (ETag, Last-Modified,
/// ranges, conditional requests). A directory alias maps the rest of the URL inside it; a
/// file alias serves that one file.
/// </summary>
internal sealed class StaticAliasHandler
{
    private static readonly FileExtensionContentTypeProvider s_types = new();
    private readonly RequestDelegate _directory;
    private readonly string? _file;

    public StaticAliasHandler(string urlPrefix, string path, IWebHostEnvironment environment)
    {
        if (File.Exists(path))
        {
            _file = Path.GetFullPath(path);
            _directory = NotFound;
            return;
        }
        var options = new StaticFileOptions
        {
            FileProvider = new PhysicalFileProvider(Path.GetFullPath(path)),
            RequestPath = urlPrefix == "/" ? PathString.Empty : new PathString(urlPrefix),
            ServeUnknownFileTypes = true,
            DefaultContentType = "application/octet-stream",
        };
        var middleware = new StaticFileMiddleware(NotFound, environment, Options.Create(options), NullLoggerFactory.Instance);
        _directory = middleware.Invoke;
    }

    public Task HandleAsync(HttpContext context)
    {
        if (_file == null)
        {
            return _directory(context);
        }
        var info = new FileInfo(_file);
        if (!info.Exists)
        {
            return NotFound(context);
        }
        context.Response.ContentType = s_types.TryGetContentType(_file, out string? type) ? type : "application/octet-stream";
        context.Response.ContentLength = info.Length;
        return HttpMethods.IsHead(context.Request.Method) ? Task.CompletedTask : context.Response.SendFileAsync(_file);
    }

    private static Task NotFound(HttpContext context)
    {
        byte[] body = Python.Wsgi.ErrorPage.Body(404);
        context.Response.StatusCode = 404;
        context.Response.ContentType = Python.Wsgi.ErrorPage.ContentType.Value;
        context.Response.ContentLength = body.Length;
        return context.Response.Body.WriteAsync(body).AsTask();
    }
}
