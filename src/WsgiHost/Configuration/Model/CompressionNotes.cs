namespace WsgiHost.Configuration.Model;

/// <summary>
/// mod_deflate's DeflateFilterNote: the names under which a compressed response's byte counts
/// go to the access log (<c>%{name}n</c>): the body's bytes before compression, after it, and
/// after as a percentage of before. A name is null when its note is not asked for.
/// </summary>
internal sealed record CompressionNotes(string? Input, string? Output, string? Ratio);
