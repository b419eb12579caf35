namespace WsgiHost.Routing;

/// <summary>
/// The virtual hosts one local address and port select from, in configuration order, with
/// their names indexed: plain names in a table (the first host claiming a name keeps it),
/// names with wildcards in a list tried in order. The first host whose name matches the Host
/// header wins, so a wildcard counts only where its host comes before the one the table names.
/// </summary>
internal sealed class VirtualHostCandidates
{
    private readonly int[] _hosts;
    private readonly Dictionary<string, int> _firstWithName = new(StringComparer.Ordinal);
    private readonly (int Position, HostPattern Pattern)[] _wildcards;

    /// <param name="hosts">The virtual hosts' indexes, in configuration order.</param>
    /// <param name="names">Each one's ServerName and ServerAliases.</param>
    public VirtualHostCandidates(int[] hosts, HostPattern[][] names)
    {
        _hosts = hosts;
        var wildcards = new List<(int, HostPattern)>();
        for (int position = 0; position < hosts.Length; position++)
        {
            foreach (HostPattern name in names[position])
            {
                if (name.HasWildcard)
                {
                    wildcards.Add((position, name));
                }
                else
                {
                    _firstWithName.TryAdd(name.Normalized, position);
                }
            }
        }
        _wildcards = [.. wildcards];
    }

    /// <summary>The index of the virtual host that serves <paramref name="hostName"/>, or -1 when no virtual host listens here.</summary>
    public int Select(string? hostName)
    {
        if (_hosts.Length == 0)
        {
            return -1;
        }
        if (string.IsNullOrEmpty(hostName))
        {
            return _hosts[0];
        }
        string host = HostPattern.Normalize(hostName);
        int named = _firstWithName.TryGetValue(host, out int position) ? position : int.MaxValue;
        foreach ((int wildcardPosition, HostPattern pattern) in _wildcards)
        {
            if (wildcardPosition >= named)
            {
                break;
            }
            if (pattern.MatchesNormalized(host))
            {
                return _hosts[wildcardPosition];
            }
        }
        return named == int.MaxValue ? _hosts[0] : _hosts[named];
    }
}
