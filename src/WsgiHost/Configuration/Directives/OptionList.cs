using WsgiHost.Configuration.Syntax;

namespace WsgiHost.Configuration.Directives;

/// <summary>The name=value options that follow a WSGI directive's positional arguments.</summary>
internal static class OptionList
{
    /// <summary>
    /// Splits arguments from <paramref name="start"/> on into options, reporting a missing "=", an
    /// empty value (a config error in mod_wsgi), a repeated option and one not in <paramref name="known"/>.
    /// </summary>
    public static Dictionary<string, string> Parse(ConfigNode node, int start, IReadOnlyCollection<string> known, BuildContext context)
    {
        var options = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        for (int i = start; i < node.Arguments.Count; i++)
        {
            string arg = node.Arguments[i];
            int eq = arg.IndexOf('=');
            if (eq <= 0)
            {
                context.Error(node, $"'{arg}' is not an option=value", $"the options are {string.Join(", ", known.Select(k => k + "="))}");
                continue;
            }
            string name = arg[..eq].ToLowerInvariant();
            string value = arg[(eq + 1)..];
            // mod_wsgi reads a value as Apache reads a word (ap_getword_conf): quotes around it,
            // single or double, are not part of it (lang='en_US.UTF-8', as Django's guide writes
            // it), and a quoted value may hold spaces, which split it into arguments here.
            if (value.Length > 0 && value[0] is '\'' or '"')
            {
                char quote = value[0];
                while ((value.Length < 2 || value[^1] != quote) && i + 1 < node.Arguments.Count)
                {
                    value += " " + node.Arguments[++i];
                }
                value = value.Length >= 2 && value[^1] == quote ? value[1..^1] : value[1..];
            }
            if (!known.Contains(name))
            {
                string? suggestion = DidYouMean.Suggest(name, known);
                context.Error(node, $"unknown option '{name}'",
                    suggestion != null ? $"did you mean {suggestion}=?" : $"the options are {string.Join(", ", known.Select(k => k + "="))}");
                continue;
            }
            if (value.Length == 0)
            {
                context.Error(node, $"option '{name}=' has an empty value", $"give a value, or remove {name}=");
                continue;
            }
            if (!options.TryAdd(name, value))
            {
                context.Error(node, $"option '{name}' is given twice", "keep one");
            }
        }
        return options;
    }
}
