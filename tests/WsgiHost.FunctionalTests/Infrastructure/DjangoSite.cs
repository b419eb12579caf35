using System.Diagnostics;
using System.Globalization;

namespace WsgiHost.FunctionalTests.Infrastructure;

/// <summary>
/// examples/django-site served by the real `wsgihost run`, embedded or in its daemon group,
/// with a state folder of its own (SQLite database, collected static files, admin user) made by
/// the example's own prepare.sh, so tests running side by side never share a database.
/// </summary>
public sealed class DjangoSite : IAsyncDisposable
{
    /// <summary>The admin user prepare.sh creates (documented in the README).</summary>
    public const string AdminUser = "admin";

    public const string AdminPassword = "wsgihost-demo";

    private DjangoSite(WsgiHostProcess host, string state)
    {
        Host = host;
        State = state;
    }

    public static string Example => Path.Combine(WsgiHostProcess.RepoRoot, "examples", "django-site");

    public WsgiHostProcess Host { get; }

    /// <summary>The state folder (DJANGO_SITE_STATE / -D STATE).</summary>
    public string State { get; }

    /// <summary>Serves the site from <paramref name="state"/> (which it then owns), or from a newly prepared folder.</summary>
    public static async Task<DjangoSite> StartAsync(bool daemon, string? state = null)
    {
        state ??= await PrepareAsync();
        int port = WsgiHostProcess.FreePort();
        var defines = new Dictionary<string, string>
        {
            ["PORT"] = port.ToString(CultureInfo.InvariantCulture),
            ["STATE"] = state,
        };
        if (!daemon)
        {
            defines["EMBEDDED"] = "1";
        }
        try
        {
            var host = await WsgiHostProcess.RunAsync(Path.Combine(Example, "site.conf"), port, defines, new Dictionary<string, string> { ["DJANGO_SITE_STATE"] = state });
            return new DjangoSite(host, state);
        }
        catch
        {
            Directory.Delete(state, recursive: true);
            throw;
        }
    }

    /// <summary>Runs prepare.sh into <paramref name="state"/> (default: a new temporary folder) and returns the folder.</summary>
    public static async Task<string> PrepareAsync(string? state = null, string adminPassword = AdminPassword)
    {
        state ??= Directory.CreateTempSubdirectory("wsgihost-django-site-").FullName;
        var psi = new ProcessStartInfo("bash") { ArgumentList = { Path.Combine(Example, "prepare.sh") } };
        psi.Environment["DJANGO_SITE_STATE"] = state;
        psi.Environment["ADMIN_PASSWORD"] = adminPassword;
        psi.Environment["PYTHON"] = Pythons.Debian;
        psi.Environment.Remove("PYTHONPATH");
        var (code, output, error) = await WsgiHostProcess.RunToEndAsync(psi);
        if (code != 0)
        {
            Directory.Delete(state, recursive: true);
            throw new InvalidOperationException($"examples/django-site/prepare.sh exited with {code}:\n{output}{error}");
        }
        return state;
    }

    public async ValueTask DisposeAsync()
    {
        await Host.DisposeAsync();
        Directory.Delete(State, recursive: true);
    }
}
