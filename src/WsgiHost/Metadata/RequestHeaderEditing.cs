using Microsoft.AspNetCore.Http;

namespace WsgiHost.Metadata;

/// <summary>
/// RequestHeader lines, applied to the request's headers before the app (or the file handler)
/// sees them, as mod_headers does in its fixup: after mapping and access control, so those see
/// the headers the client sent. <c>early</c> lines run before the request is mapped.
/// </summary>
internal static class RequestHeaderEditing
{
    public static void Apply(HttpContext context, IReadOnlyList<HeaderEdit> edits, bool early, IReadOnlyList<KeyValuePair<string, string?>> variables, DateTimeOffset received)
    {
        foreach (HeaderEdit edit in edits)
        {
            if (edit.Early != early || !edit.AppliesTo(variables))
            {
                continue;
            }
            string? value = edit.Value?.Format(received, variables, name => ResponseHeaderEditor.SslVariableOf(context, name));
            HeaderEditing.Apply(context.Request.Headers, edit, value, null, null);
        }
    }
}
