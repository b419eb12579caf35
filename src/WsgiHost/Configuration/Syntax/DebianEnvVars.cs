namespace WsgiHost.Configuration.Syntax;

/// <summary>
/// Debian's apache2.conf takes APACHE_RUN_USER, APACHE_LOG_DIR and the like from the environment,
/// which apache2ctl sets by sourcing /etc/apache2/envvars before it starts Apache. WsgiHost reads
/// ${VAR} from Define and then the environment, as Apache does, so the fix for such a config is
/// the same step apache2ctl takes: this finds the envvars file that exports the variable.
/// </summary>
internal static class DebianEnvVars
{
    /// <summary>The fix naming the envvars file in the config's folder or the two above it that exports <paramref name="name"/>, or null.</summary>
    public static string? Fix(string name, string configFile)
    {
        string? folder = Path.GetDirectoryName(Path.GetFullPath(configFile));
        for (int up = 0; up < 3 && folder != null; up++, folder = Path.GetDirectoryName(folder))
        {
            string envvars = Path.Combine(folder, "envvars");
            if (Exports(envvars, name))
            {
                return $"Debian's apache2ctl sets it from {envvars}: start WsgiHost as 'set -a; . {envvars}; set +a; wsgihost run ...' "
                    + $"(it is a shell script), or add 'Define {name} <value>' before this line";
            }
        }
        return null;
    }

    private static bool Exports(string file, string name)
    {
        try
        {
            return File.Exists(file) && File.ReadLines(file).Any(line =>
                line.TrimStart().StartsWith("export " + name + "=", StringComparison.Ordinal)
                || line.TrimStart().StartsWith(name + "=", StringComparison.Ordinal));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }
}
