using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using WsgiHost.StaticFiles;

namespace WsgiHost.Tests.StaticFiles;

/// <summary>
/// A temporary folder of real files served by a <see cref="StaticAliasHandler"/>, plus a way to
/// run one request through it on a <see cref="DefaultHttpContext"/> whose body is a MemoryStream.
/// Deleted on dispose.
/// </summary>
internal sealed class StaticSite : IDisposable
{
    /// <summary>A fixed past mtime, so ETags are strong and predictable.</summary>
    public static readonly DateTime Modified = new DateTime(2024, 1, 2, 3, 4, 5, DateTimeKind.Utc).AddTicks(6_789_010);

    /// <summary>Last-Modified for <see cref="Modified"/>.</summary>
    public const string ModifiedHeader = "Tue, 02 Jan 2024 03:04:05 GMT";

    private static readonly Lazy<MimeTypes> s_types = new(() => MimeTypes.Parse(new StringReader(
        "text/css css\ntext/html html htm\ntext/plain txt\napplication/javascript js\n")));

    public StaticSite()
    {
        Parent = Directory.CreateTempSubdirectory("wsgihost-static-test-").FullName;
        Root = Path.Combine(Parent, "site");
        Directory.CreateDirectory(Root);
    }

    /// <summary>Holds <see cref="Root"/> and files outside it (for escape attempts).</summary>
    public string Parent { get; }

    public string Root { get; }

    public static MimeTypes Types => s_types.Value;

    /// <summary>Writes a file under Root with the fixed mtime; returns its full path.</summary>
    public string Write(string relative, string text) => WriteIn(Root, relative, text);

    /// <summary>Writes a file relative to Parent (outside the served folder).</summary>
    public string WriteOutside(string relative, string text) => WriteIn(Parent, relative, text);

    private static string WriteIn(string folder, string relative, string text)
    {
        string path = Path.Combine(folder, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text, Encoding.Latin1);
        File.SetLastWriteTimeUtc(path, Modified);
        return path;
    }

    public StaticAliasHandler Handler() => new(Root, Types);

    public Task<Reply> GetAsync(string pathInfo, params (string Name, string Value)[] headers) =>
        SendAsync(Handler(), "GET", pathInfo, "/static" + pathInfo, headers);

    /// <summary>A GET in a scope: its per-directory settings (DirectoryIndex, mod_mime's lines).</summary>
    public Task<Reply> GetAsync(string pathInfo, WsgiHost.Configuration.Model.PerDirSettings settings) =>
        SendAsync(Handler(), "GET", pathInfo, "/static" + pathInfo, [], settings);

    public static Task<Reply> SendAsync(StaticAliasHandler handler, string method, string pathInfo, string rawTarget, params (string Name, string Value)[] headers) =>
        SendAsync(handler, method, pathInfo, rawTarget, headers, null);

    private static async Task<Reply> SendAsync(StaticAliasHandler handler, string method, string pathInfo, string rawTarget, (string Name, string Value)[] headers,
        WsgiHost.Configuration.Model.PerDirSettings? settings)
    {
        var context = new DefaultHttpContext();
        context.Request.Method = method;
        context.Features.Get<IHttpRequestFeature>()!.RawTarget = rawTarget;
        foreach (var (name, value) in headers)
        {
            context.Request.Headers.Append(name, value);
        }
        var body = new MemoryStream();
        context.Response.Body = body;
        await handler.HandleAsync(context, pathInfo, settings);
        return new Reply(context.Response.StatusCode, context.Response.Headers, body.ToArray());
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Parent, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp folder is not worth failing a test over.
        }
    }
}

/// <summary>What the handler wrote.</summary>
internal sealed record Reply(int Status, IHeaderDictionary Headers, byte[] Body)
{
    public string Text => Encoding.Latin1.GetString(Body);

    public string? Header(string name) => Headers.TryGetValue(name, out var v) ? v.ToString() : null;
}
