using WsgiHost.Access;
using WsgiHost.Configuration.Model;
using WsgiHost.Configuration.Syntax;
using WsgiHost.StaticFiles;

namespace WsgiHost.Configuration.Lints;

/// <summary>
/// .htaccess files that AllowOverride would let apply: WsgiHost answers every request through
/// their folders 500 rather than skip their rules (<see cref="AccessFiles"/>); `check` finds
/// them beforehand, each with the section to move its lines into.
/// </summary>
internal static class AccessFileLints
{
    public static void Unread(SiteConfig site, List<ConfigDiagnostic> found)
    {
        var reported = new HashSet<string>(StringComparer.Ordinal);
        foreach (ServerScope scope in site.VirtualHosts.Prepend(site.MainServer))
        {
            foreach (var section in scope.Sections.Where(s => s.Kind == SectionKind.Directory && s.Payload.Settings.AllowOverride == true))
            {
                // The whole file system is not searched for them: a folder of its own is.
                if (section.Pattern.Length <= 1 || section.Pattern.AsSpan().IndexOfAny('*', '?', '[') >= 0 || !Directory.Exists(section.Pattern))
                {
                    continue;
                }
                foreach (string file in AccessFiles.Under(section.Pattern).Where(reported.Add))
                {
                    found.Add(SiteLints.Warning(section.Location, "<Directory>",
                        $"{file} is not read by WsgiHost, and AllowOverride lets it apply here: every request for a path through {Path.GetDirectoryName(file)} is answered 500 rather than served past its rules",
                        $"move its lines into <Directory {Path.GetDirectoryName(file)}> in the configuration (and remove the file), or set AllowOverride None if they are not meant to apply"));
                }
            }
        }
    }
}
