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

    /// <summary>The usage error for <paramref name="option"/>, with what to do instead.</summary>
    public static string For(string option)
    {
        string hint = option switch
        {
            "--document-root" => "serve a folder of files with --url-alias /URL/ DIR",
            "--server-root" => "serve keeps no server root; --working-directory sets the app's folder",
            "--include-file" or "--setup-only" or "--rewrite-rules" => "serve writes no Apache configuration to add to or keep: write the site's configuration and serve it with wsgihost run, which reads Apache's directives",
            _ => DidYouMean.Suggest(option, Known) is { } near ? $"did you mean {near}?" : "",
        };
        return $"unknown option '{option}'{(hint.Length > 0 ? ": " + hint : "")} (wsgihost serve --help lists the options)";
    }
}
