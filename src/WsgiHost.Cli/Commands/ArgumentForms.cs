namespace WsgiHost.Cli.Commands;

/// <summary>
/// The other spellings of an option, made the usual one before any part of a command reads its
/// arguments: <c>--port=8080</c> is <c>--port 8080</c> (as mod_wsgi-express takes it), and
/// <c>-DNAME</c> is <c>-D NAME</c> (as httpd takes it). Done once, first: options that are taken
/// early (--server-processes, --cpu-scheduling) were not found in their <c>=</c> form.
/// </summary>
internal static class ArgumentForms
{
    public static string[] Normalize(IEnumerable<string> args) =>
        [.. args.SelectMany(a =>
            a.StartsWith("--", StringComparison.Ordinal) && a.IndexOf('=') is int eq and > 2 ? new[] { a[..eq], a[(eq + 1)..] }
            : a.Length > 2 && a.StartsWith("-D", StringComparison.Ordinal) ? ["-D", a[2..]]
            : [a])];
}
