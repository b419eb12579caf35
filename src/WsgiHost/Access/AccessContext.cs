namespace WsgiHost.Access;

/// <summary>Where the directives handed to <see cref="AccessRulesParser"/> were written.</summary>
internal enum AccessContext
{
    /// <summary>Inside <c>&lt;Directory&gt;</c>, <c>&lt;Location&gt;</c>, <c>&lt;Files&gt;</c> or their Match forms.</summary>
    Directory,
    /// <summary>Directly in <c>&lt;VirtualHost&gt;</c> or at the top level, where Apache allows no access directive
    /// ("Require not allowed here": they are all directory-context directives).</summary>
    Server,
}
