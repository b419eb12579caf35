using WsgiHost.Access;
using WsgiHost.Configuration.Model;
using WsgiHost.Configuration.Syntax;

namespace WsgiHost.Cli.Commands;

/// <summary>
/// serve's authentication by Python hooks, with mod_wsgi-express's options: <c>--auth-user-script</c>
/// (check_password, Basic authentication of every URL), <c>--auth-group-script</c> with <c>--auth-group</c>
/// (groups_for_user; only that group's members get in) and <c>--host-access-script</c> (allow_access). As
/// express writes them: a &lt;Location /&gt; with AuthType Basic, AuthName "HOST:PORT", AuthBasicProvider wsgi,
/// the scripts (run in the main interpreter), and Require valid-user and wsgi-group in a &lt;RequireAll&gt;.
/// </summary>
internal sealed class ServeAuth
{
    private string? _userScript, _groupScript, _accessScript, _group;

    /// <summary>Whether <paramref name="flag"/> is one of these options (each takes a value).</summary>
    public static bool IsOption(string flag) =>
        flag is "--auth-user-script" or "--auth-group-script" or "--auth-group" or "--host-access-script" or "--auth-type";

    /// <exception cref="UsageException">A script that does not exist, or an authentication type other than Basic.</exception>
    public void Add(string flag, string value)
    {
        switch (flag)
        {
            case "--auth-type":
                if (!value.Equals("Basic", StringComparison.OrdinalIgnoreCase))
                {
                    throw new UsageException($"--auth-type {value}: WsgiHost authenticates with Basic only (send it over --https-port)");
                }
                break;
            case "--auth-group":
                _group = value;
                break;
            default:
                string path = Path.GetFullPath(value);
                if (!File.Exists(path))
                {
                    throw new UsageException($"{flag}: no such file: {value}");
                }
                if (flag == "--auth-user-script")
                {
                    _userScript = path;
                }
                else if (flag == "--auth-group-script")
                {
                    _groupScript = path;
                }
                else
                {
                    _accessScript = path;
                }
                break;
        }
    }

    /// <summary>The &lt;Location /&gt; section the options make; null when none was given.</summary>
    /// <exception cref="UsageException">--auth-group-script without --auth-user-script, or --auth-group without --auth-group-script.</exception>
    public Section<SectionPayload>? Section(string host, int port, SourceLocation at)
    {
        if (_groupScript != null && _userScript == null)
        {
            throw new UsageException("--auth-group-script needs --auth-user-script: groups are asked for a user who logged in");
        }
        if (_group != null && _groupScript == null)
        {
            throw new UsageException("--auth-group needs --auth-group-script, whose groups_for_user(environ, user) says who is in it");
        }
        var nodes = new List<ConfigNode>();
        ConfigNode Node(string name, params string[] args) => new(name, args, at, [], false);
        if (_accessScript != null)
        {
            nodes.Add(Node("WSGIAccessScript", _accessScript));
        }
        if (_userScript != null)
        {
            nodes.AddRange([Node("AuthType", "Basic"), Node("AuthName", $"{host}:{port}"), Node("AuthBasicProvider", "wsgi"), Node("WSGIAuthUserScript", _userScript)]);
            List<ConfigNode> require = [Node("Require", "valid-user")];
            if (_groupScript != null)
            {
                nodes.Add(Node("WSGIAuthGroupScript", _groupScript));
                require.Add(Node("Require", "wsgi-group", _group ?? "wsgi"));
            }
            nodes.Add(new ConfigNode("RequireAll", [], at, require, true));
        }
        if (nodes.Count == 0)
        {
            return null;
        }
        var diagnostics = new List<ConfigDiagnostic>();
        AccessRules? rules = AccessRulesParser.Parse(nodes, diagnostics);
        if (diagnostics.FirstOrDefault(d => d.Severity == DiagnosticSeverity.Error) is { } error)
        {
            throw new UsageException(error.Message);
        }
        return new Section<SectionPayload>(SectionKind.Location, "/", new SectionPayload(PerDirSettings.Empty, rules, at), at);
    }
}
