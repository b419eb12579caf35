namespace WsgiHost.Configuration.Syntax;

/// <summary>
/// One directive (<c>WSGIScriptAlias /app /srv/app.wsgi</c>) or section (<c>&lt;VirtualHost *:80&gt;</c>) of an
/// Apache-syntax configuration, after Include, Define, IfDefine and IfModule have been applied.
/// </summary>
/// <param name="Name">The name as written, without angle brackets for sections.</param>
/// <param name="Arguments">The arguments, already unquoted and with <c>${VAR}</c> substituted.</param>
/// <param name="Location">Where the directive, or the opening tag of the section, was written.</param>
/// <param name="Children">The content of a section, in order; empty for a plain directive.</param>
/// <param name="IsSection">True for <c>&lt;Name ...&gt;</c> ... <c>&lt;/Name&gt;</c>.</param>
internal sealed record ConfigNode(
    string Name,
    IReadOnlyList<string> Arguments,
    SourceLocation Location,
    IReadOnlyList<ConfigNode> Children,
    bool IsSection);
