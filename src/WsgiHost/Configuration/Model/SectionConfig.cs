using WsgiHost.Access;
using WsgiHost.Configuration.Syntax;

namespace WsgiHost.Configuration.Model;

/// <summary>What a &lt;Directory&gt;/&lt;Location&gt;/&lt;Files&gt; section (or Match form) sets for the requests it covers.</summary>
/// <param name="Access">Its access rules; null when it has none (it inherits).</param>
internal sealed record SectionPayload(PerDirSettings Settings, AccessRules? Access, SourceLocation Location);
