using Microsoft.AspNetCore.Http;
using WsgiHost.Configuration.Model;
using WsgiHost.Daemon;
using WsgiHost.Server;

namespace WsgiHost.Metadata;

/// <summary>
/// A request's mod_expires and Header lines (in that order, as their filters run in Apache) and
/// AddDefaultCharset (last, as Apache's header filter adds the charset),
/// applied once as its response starts, after whatever made the response (app, daemon, file
/// handler) set its headers, as mod_headers' output filter edits them on their way out.
/// Compression asks for the edits before it decides, as mod_headers' filter runs before
/// DEFLATE's. Lines without <c>always</c> skip the error pages the server makes itself (403, 404
/// for an unmapped URL, 500 for a crashed app...), as Apache drops its <c>headers_out</c> when it
/// sends an error page; so does mod_expires. Installed only where Header lines, ExpiresActive On
/// or AddDefaultCharset apply.
/// </summary>
internal sealed class ResponseHeaderEditor
{
    private readonly HttpContext _context;
    private readonly PerDirSettings _settings;
    private readonly string? _filePath;
    private readonly IReadOnlyList<KeyValuePair<string, string?>> _variables;
    private readonly DateTimeOffset _received;
    private bool _applied;
    private bool _serverError;

    private ResponseHeaderEditor(HttpContext context, PerDirSettings settings, string? filePath, IReadOnlyList<KeyValuePair<string, string?>> variables, DateTimeOffset received)
    {
        _context = context;
        _settings = settings;
        _filePath = filePath;
        _variables = variables;
        _received = received;
    }

    /// <summary>Note's notes, for the access log's %{name}n.</summary>
    public List<KeyValuePair<string, string>>? Notes { get; private set; }

    /// <summary>Applies the settings' ExpiresByType/ExpiresDefault and Header lines when the response starts (or when compression asks first).</summary>
    /// <param name="filePath">The file the URL maps to (ExpiresByType of a 304 goes by its type).</param>
    public static ResponseHeaderEditor Install(HttpContext context, PerDirSettings settings, string? filePath, IReadOnlyList<KeyValuePair<string, string?>> variables, DateTimeOffset received)
    {
        var editor = new ResponseHeaderEditor(context, settings, filePath, variables, received);
        context.Response.OnStarting(static state =>
        {
            ((ResponseHeaderEditor)state).Apply();
            return Task.CompletedTask;
        }, editor);
        return editor;
    }

    /// <summary>The response about to go is an error page the server made, not the handler's: only <c>always</c> lines apply to it.</summary>
    public void MarkServerError() => _serverError = true;

    /// <summary>
    /// A local ErrorDocument's file answers instead of the server's page: as the request Apache
    /// redirects to it internally, which serves the file with success, every line applies
    /// (a site's security headers are on its 404 page), not only the <c>always</c> ones.
    /// </summary>
    public void ServeErrorDocument() => _serverError = false;

    /// <summary>Applies the lines, once; later calls do nothing.</summary>
    public void Apply()
    {
        if (_applied)
        {
            return;
        }
        _applied = true;
        HttpResponse response = _context.Response;
        if (_settings.ExpiresActive == true && !_serverError)
        {
            ExpiresHeaders.Apply(response, _settings, _received, _filePath);
        }
        foreach (HeaderEdit edit in _settings.ResponseHeaderEdits)
        {
            if ((_serverError && !edit.Always) || !edit.AppliesTo(_variables))
            {
                continue;
            }
            string? value = edit.Action == HeaderAction.Note ? null : edit.Value?.Format(_received, _variables, SslVariable);
            if (edit.Action == HeaderAction.Note)
            {
                Notes ??= [];
            }
            HeaderEditing.Apply(response.Headers, edit, value, _context.Request.Headers, Notes);
        }
        if (_settings.DefaultCharset is { Length: > 0 } charset && response.Headers.ContentType is [string type])
        {
            response.Headers.ContentType = DefaultCharset.Apply(type, charset);
        }
    }

    private string? SslVariable(string name) => SslVariableOf(_context, name);

    /// <summary>An SSL variable of the request (%{VAR}s), or null on a plain connection.</summary>
    internal static string? SslVariableOf(HttpContext context, string name)
    {
        if (!context.Request.IsHttps)
        {
            return null;
        }
        var capture = new EnvironCapture(24);
        SslVariables.Write(context, capture);
        foreach (var (key, value) in capture.Entries)
        {
            if (key == name)
            {
                return value;
            }
        }
        return null;
    }
}
