using WsgiHost.Configuration.Syntax;

namespace WsgiHost.Access;

/// <summary>
/// A WSGIAuthUserScript or WSGIAuthGroupScript: the Python file, and the application group whose
/// interpreter runs it as written (<c>%{GLOBAL}</c>, the main interpreter, when not given, as in mod_wsgi).
/// </summary>
/// <param name="Path">The script, absolute.</param>
/// <param name="ApplicationGroup">A name, or <c>%{GLOBAL}</c>, <c>%{SERVER}</c> or <c>%{HOST}</c>, expanded per request.</param>
/// <param name="Location">Where it is configured, for the log lines about it.</param>
internal sealed record AuthScriptRef(string Path, string ApplicationGroup, SourceLocation Location);
