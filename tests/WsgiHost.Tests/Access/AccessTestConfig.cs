using System.Net;
using WsgiHost.Access;
using WsgiHost.Configuration.Syntax;

namespace WsgiHost.Tests.Access;

/// <summary>Reads raw configuration text the way the server does and evaluates the result.</summary>
internal static class AccessTestConfig
{
    /// <summary>The rules of the one section in <paramref name="config"/>; fails on any diagnostic.</summary>
    public static AccessRules Rules(string config)
    {
        var (rules, diagnostics) = Parse(config);
        Assert.True(diagnostics.Count == 0, string.Join("\n", diagnostics));
        Assert.NotNull(rules);
        return rules!;
    }

    /// <summary>Parses the children of the first (only) section of <paramref name="config"/>.</summary>
    public static (AccessRules? Rules, List<ConfigDiagnostic> Diagnostics) Parse(string config)
    {
        var read = ConfigReader.ReadText(config, "site.conf");
        Assert.True(read.Diagnostics.Count == 0, string.Join("\n", read.Diagnostics));
        var diagnostics = new List<ConfigDiagnostic>();
        var rules = AccessRulesParser.Parse(read.Nodes[0].Children, diagnostics);
        return (rules, diagnostics);
    }

    /// <summary>The single error <paramref name="config"/> produces.</summary>
    public static ConfigDiagnostic Error(string config)
    {
        var (_, diagnostics) = Parse(config);
        var errors = diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
        Assert.True(errors.Count == 1, string.Join("\n", diagnostics));
        return errors[0];
    }

    public static bool Allows(this AccessRules? rules, string client, IHostNameResolver? resolver = null) =>
        AccessRules.Evaluate(rules, new AccessRequest(IPAddress.Parse(client), "/srv/app/x", resolver ?? new FakeResolver())).IsGranted;

    /// <summary>The rules of every section of <paramref name="config"/>, in file order, merged.</summary>
    public static AccessRules? MergedSections(string config)
    {
        var read = ConfigReader.ReadText(config, "site.conf");
        Assert.True(read.Diagnostics.Count == 0, string.Join("\n", read.Diagnostics));
        var diagnostics = new List<ConfigDiagnostic>();
        var merged = AccessRules.MergeAll(read.Nodes.Select(n => AccessRulesParser.Parse(n.Children, diagnostics)));
        Assert.True(diagnostics.Count == 0, string.Join("\n", diagnostics));
        return merged;
    }
}

/// <summary>DNS as a table: PTR names and A records. Counts look-ups so tests can see none happened.</summary>
internal sealed class FakeResolver : IHostNameResolver
{
    private readonly Dictionary<string, string> _ptr = [];
    private readonly Dictionary<string, List<IPAddress>> _addresses = new(StringComparer.OrdinalIgnoreCase);

    public int Lookups { get; private set; }

    public FakeResolver Ptr(string address, string name)
    {
        _ptr[address] = name;
        return this;
    }

    public FakeResolver A(string name, params string[] addresses)
    {
        _addresses[name] = addresses.Select(IPAddress.Parse).ToList();
        return this;
    }

    public string? GetHostName(IPAddress address)
    {
        Lookups++;
        return _ptr.GetValueOrDefault(address.ToString());
    }

    public IReadOnlyList<IPAddress> GetAddresses(string hostName)
    {
        Lookups++;
        return _addresses.GetValueOrDefault(hostName) ?? [];
    }
}
