namespace WsgiHost.FunctionalTests.Infrastructure;

/// <summary>A test that runs nginx (scripts/setup.sh installs Debian's); skipped, with the reason, when it is not installed.</summary>
public sealed class NginxFactAttribute : FactAttribute
{
    public NginxFactAttribute()
    {
        if (Nginx == null)
        {
            Skip = "nginx is not installed (scripts/setup.sh installs Debian's nginx package; apt-get install nginx)";
        }
    }

    /// <summary>The nginx executable, or null.</summary>
    public static string? Nginx =>
        new[] { "/usr/sbin/nginx", "/usr/local/sbin/nginx" }
            .Concat((Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries).Select(d => Path.Combine(d, "nginx")))
            .FirstOrDefault(File.Exists);
}
