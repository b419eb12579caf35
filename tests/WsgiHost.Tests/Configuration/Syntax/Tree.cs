using WsgiHost.Configuration.Syntax;

namespace WsgiHost.Tests.Configuration.Syntax;

/// <summary>Compact views of read results for assertions.</summary>
internal static class Tree
{
    /// <summary>One line per node, <c>Name|arg|arg</c>, children indented by two spaces.</summary>
    public static string Show(IReadOnlyList<ConfigNode> nodes)
    {
        var lines = new List<string>();
        Add(nodes, "", lines);
        return string.Join("\n", lines);
    }

    private static void Add(IReadOnlyList<ConfigNode> nodes, string indent, List<string> lines)
    {
        foreach (var node in nodes)
        {
            var name = node.IsSection ? $"<{node.Name}>" : node.Name;
            lines.Add(indent + string.Join("|", node.Arguments.Prepend(name)));
            Add(node.Children, indent + "  ", lines);
        }
    }

    public static void NoDiagnostics(ConfigReadResult result) =>
        Assert.True(result.Diagnostics.Count == 0, string.Join("\n", result.Diagnostics));

    public static ConfigDiagnostic SingleError(ConfigReadResult result)
    {
        Assert.True(result.HasErrors);
        var errors = result.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
        Assert.True(errors.Count == 1, string.Join("\n", result.Diagnostics));
        return errors[0];
    }
}
