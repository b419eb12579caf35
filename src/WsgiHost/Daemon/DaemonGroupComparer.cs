using WsgiHost.Configuration.Model;

namespace WsgiHost.Daemon;

/// <summary>Daemon groups compared by what their workers run with, not by where they were written.</summary>
internal sealed class DaemonGroupComparer : IEqualityComparer<DaemonGroupConfig>
{
    public static readonly DaemonGroupComparer Instance = new();

    public bool Equals(DaemonGroupConfig? x, DaemonGroupConfig? y) =>
        x != null && y != null && x.Name == y.Name && x.Processes == y.Processes && x.Threads == y.Threads && x.PythonHome == y.PythonHome
        && x.PythonPath.SequenceEqual(y.PythonPath) && x.Home == y.Home && x.MaximumRequests == y.MaximumRequests && x.ReloadOnChanges == y.ReloadOnChanges
        && x.Options.Count == y.Options.Count && x.Options.All(o => y.Options.TryGetValue(o.Key, out string? v) && v == o.Value);

    public int GetHashCode(DaemonGroupConfig obj) => obj.Name.GetHashCode(StringComparison.Ordinal);
}
