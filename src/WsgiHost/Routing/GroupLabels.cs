namespace WsgiHost.Routing;

/// <summary>
/// mod_wsgi's expansion of WSGIApplicationGroup / WSGIProcessGroup values into the name of an
/// interpreter or daemon group (wsgi_application_group and wsgi_process_group in mod_wsgi's
/// wsgi_config.c).
/// </summary>
internal static class GroupLabels
{
    public const string Global = "%{GLOBAL}";
    public const string Resource = "%{RESOURCE}";
    public const string Server = "%{SERVER}";
    public const string Host = "%{HOST}";

    /// <summary>The per-request facts an expansion can use: <paramref name="SetEnv"/> is the request's SetEnv/UnsetEnv, in order.</summary>
    public readonly record struct RequestFacts(string ServerName, int Port, string ScriptName, string? HostHeader, IReadOnlyList<KeyValuePair<string, string?>> SetEnv)
    {
        /// <summary>%{ENV:VAR}: the last SetEnv of the name first (null when UnsetEnv), then the server's own environment (mod_wsgi's order).</summary>
        public string? Environment(string name)
        {
            for (int i = SetEnv.Count - 1; i >= 0; i--)
            {
                if (SetEnv[i].Key == name)
                {
                    return SetEnv[i].Value;
                }
            }
            return System.Environment.GetEnvironmentVariable(name);
        }
    }

    /// <summary>
    /// An application group; unset means %{RESOURCE}, as in Apache (mod_wsgi-express and
    /// `wsgihost serve` use %{GLOBAL} instead). "" is the main interpreter.
    /// </summary>
    public static string ExpandApplicationGroup(string? value, in RequestFacts facts) => Expand(value ?? Resource, facts);

    /// <summary>A process group; unset or %{GLOBAL} means embedded mode ("").</summary>
    public static string ExpandProcessGroup(string? value, in RequestFacts facts) => value == null ? "" : Expand(value, facts);

    /// <summary>True for a value fixed at configuration time (literal or %{GLOBAL}), which allows preloading.</summary>
    public static bool IsStatic(string? value) => value != null && (value == Global || !value.Contains("%{", StringComparison.Ordinal));

    private static string Expand(string value, in RequestFacts facts)
    {
        switch (value)
        {
            case Global:
                return "";
            case Server:
                return ServerWithPort(facts.ServerName, facts.Port);
            case Resource:
                return ResourceOf(facts);
            case Host:
                return ServerWithPort(string.IsNullOrEmpty(facts.HostHeader) ? facts.ServerName : StripPort(facts.HostHeader), facts.Port);
        }
        if (value.StartsWith("%{ENV:", StringComparison.Ordinal) && value.EndsWith('}'))
        {
            string? resolved = facts.Environment(value[6..^1]);
            if (resolved == null)
            {
                return value; // mod_wsgi keeps the label literally; it then names no group
            }
            return resolved.StartsWith('%') && !resolved.StartsWith("%{ENV:", StringComparison.Ordinal) ? Expand(resolved, facts) : resolved;
        }
        return value;
    }

    // The last %{RESOURCE} this thread expanded: the next request nearly always names the same
    // one, and building it made two strings a request.
    [ThreadStatic]
    private static string? t_resourceServer;

    [ThreadStatic]
    private static int t_resourcePort;

    [ThreadStatic]
    private static string? t_resourceScript;

    [ThreadStatic]
    private static string? t_resource;

    /// <summary>
    /// %{RESOURCE}: the ServerName (never the Host header, so aliases share it), the port
    /// unless 80 or 443 (so the http/https pair share it), then SCRIPT_NAME.
    /// </summary>
    private static string ResourceOf(in RequestFacts facts)
    {
        if (t_resource is string last && facts.Port == t_resourcePort
            && string.Equals(facts.ServerName, t_resourceServer, StringComparison.Ordinal) && string.Equals(facts.ScriptName, t_resourceScript, StringComparison.Ordinal))
        {
            return last;
        }
        string resource = ServerWithPort(facts.ServerName, facts.Port) + "|" + facts.ScriptName.ToLowerInvariant();
        (t_resourceServer, t_resourcePort, t_resourceScript, t_resource) = (facts.ServerName, facts.Port, facts.ScriptName, resource);
        return resource;
    }

    private static string ServerWithPort(string serverName, int port) =>
        port is 80 or 443 or 0 ? serverName : $"{serverName}:{port}";

    private static string StripPort(string host)
    {
        int colon = host.LastIndexOf(':');
        return colon > 0 && !host.EndsWith(']') ? host[..colon] : host;
    }
}
