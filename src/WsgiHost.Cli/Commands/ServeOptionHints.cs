using System.Text.RegularExpressions;
using WsgiHost.Configuration.Directives;

namespace WsgiHost.Cli.Commands;

/// <summary>
/// What to tell someone who types an option serve does not have: mostly mod_wsgi-express
/// habits, each with where that setting lives here, and otherwise the nearest option's name.
/// </summary>
internal static partial class ServeOptionHints
{
    [GeneratedRegex(@"--[a-z][a-z0-9-]*")]
    private static partial Regex OptionName();

    /// <summary>serve's options, as its usage text lists them.</summary>
    private static readonly string[] Known = [.. OptionName().Matches(ServeOptionsParser.Usage).Select(m => m.Value).Distinct()];

    /// <summary>mod_wsgi-express's daemon options, which serve leaves to a configuration file.</summary>
    private static readonly HashSet<string> DaemonOptions = new(StringComparer.Ordinal)
    {
        "--maximum-requests", "--request-timeout", "--inactivity-timeout", "--restart-interval", "--deadlock-timeout",
        "--graceful-timeout", "--queue-timeout", "--connect-timeout", "--startup-timeout", "--shutdown-timeout",
        "--memory-limit", "--virtual-memory-limit", "--cpu-time-limit", "--interrupt-timeout", "--socket-timeout",
    };

    /// <summary>The usage error for <paramref name="option"/>, with what to do instead.</summary>
    public static string For(string option)
    {
        string hint = option switch
        {
            "--log-to-terminal" or "--startup-log" => "serve logs to the terminal already; --error-log FILE writes a file instead",
            "--document-root" => "serve a folder of files with --url-alias /URL/ DIR",
            "--https-port" or "--ssl-certificate-file" or "--ssl-certificate-key-file" or "--https-only"
                => "TLS is set in a configuration file (SSLEngine, SSLCertificateFile in a <VirtualHost>) run by wsgihost run",
            "--entry-point" => "give the script's path as serve's argument",
            "--application-type" => "serve runs a WSGI script file; for a module, write a one-line script: from package.module import application",
            "--server-root" => "serve keeps no server root; --working-directory sets the app's folder",
            _ when DaemonOptions.Contains(option) => $"it is an option of a daemon group: run a configuration file with wsgihost run, where WSGIDaemonProcess NAME {option[2..]}=... sets it",
            _ => DidYouMean.Suggest(option, Known) is { } near ? $"did you mean {near}?" : "",
        };
        return $"unknown option '{option}'{(hint.Length > 0 ? ": " + hint : "")} (wsgihost serve --help lists the options)";
    }
}
