using WsgiHost.Configuration.Syntax;

namespace WsgiHost.Configuration.Directives;

/// <summary>Applies one directive to the configuration being built.</summary>
internal delegate void DirectiveHandler(ConfigNode node, BuildContext context);

/// <summary>One row of the directive table: a name, its argument shape, where it may appear, and what it does.</summary>
/// <param name="Syntax">The arguments as Apache's documentation writes them, for messages.</param>
/// <param name="MaxArgs">-1 for no upper bound.</param>
internal sealed record DirectiveSpec(string Name, DirectiveScope Allowed, int MinArgs, int MaxArgs, string Syntax, DirectiveHandler Handler)
{
    public bool AcceptsCount(int count) => count >= MinArgs && (MaxArgs < 0 || count <= MaxArgs);
}
