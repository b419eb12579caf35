using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;

namespace WsgiHost.Metadata;

/// <summary>One mod_headers action on a set of headers, request or response.</summary>
internal static class HeaderEditing
{
    /// <param name="headers">The headers edited.</param>
    /// <param name="value">The edit's value for this request (formatted), when it has one.</param>
    /// <param name="requestHeaders">Echo's source.</param>
    /// <param name="notes">Where Note leaves its note.</param>
    public static void Apply(IHeaderDictionary headers, HeaderEdit edit, string? value, IHeaderDictionary? requestHeaders, List<KeyValuePair<string, string>>? notes)
    {
        string name = edit.Name;
        switch (edit.Action)
        {
            case HeaderAction.Set:
                headers[name] = value;
                break;
            case HeaderAction.Append:
                headers[name] = headers.TryGetValue(name, out var existing) && existing.Count > 0 ? existing.ToString() + ", " + value : value;
                break;
            case HeaderAction.Add:
                headers[name] = StringValues.Concat(headers[name], value);
                break;
            case HeaderAction.Merge:
                if (!Contains(headers[name], value!))
                {
                    goto case HeaderAction.Append;
                }
                break;
            case HeaderAction.SetIfEmpty:
                if (!headers.ContainsKey(name))
                {
                    headers[name] = value;
                }
                break;
            case HeaderAction.Unset:
                headers.Remove(name);
                break;
            case HeaderAction.Edit:
            case HeaderAction.EditAll:
                if (headers.TryGetValue(name, out var values) && values.Count > 0)
                {
                    var edited = new string?[values.Count];
                    for (int i = 0; i < values.Count; i++)
                    {
                        edited[i] = edit.Pattern!.Replace(values[i] ?? "", edit.Replacement!, edit.Action == HeaderAction.Edit ? 1 : -1);
                    }
                    headers[name] = new StringValues(edited);
                }
                break;
            case HeaderAction.Echo:
                if (requestHeaders != null)
                {
                    foreach (var (requestName, requestValues) in requestHeaders)
                    {
                        if (edit.Pattern!.IsMatch(requestName))
                        {
                            headers[requestName] = StringValues.Concat(headers[requestName], requestValues);
                        }
                    }
                }
                break;
            case HeaderAction.Note:
                if (notes != null && headers.TryGetValue(name, out var noted) && noted.Count > 0)
                {
                    notes.Add(new(edit.Value!.Text, noted[0] ?? ""));
                }
                break;
        }
    }

    /// <summary>Merge's test: the value is already one of the header's comma-separated values (a quoted value compared whole, as mod_headers does).</summary>
    private static bool Contains(StringValues header, string value)
    {
        foreach (string? line in header)
        {
            foreach (string token in (line ?? "").Split(','))
            {
                if (token.Trim() == value)
                {
                    return true;
                }
            }
        }
        return false;
    }
}
