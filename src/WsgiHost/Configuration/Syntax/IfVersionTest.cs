using System.Text.RegularExpressions;

namespace WsgiHost.Configuration.Syntax;

/// <summary>
/// mod_version's &lt;IfVersion [[!]operator] version&gt;: configurations written for several
/// httpd releases (mod_wsgi's own guide: Order/Allow under 2.2, Require under 2.4) choose by
/// it. WsgiHost reads configurations as Apache 2.4 does, so it answers as <see cref="Emulated"/>.
/// </summary>
internal static class IfVersionTest
{
    /// <summary>The httpd release whose configuration semantics WsgiHost follows.</summary>
    public static readonly Version Emulated = new(2, 4, 62);

    /// <summary>Whether the section's content is read; false with <paramref name="error"/> when its arguments are not mod_version's.</summary>
    public static bool Holds(IReadOnlyList<string> arguments, out string? error)
    {
        error = null;
        string op, operand;
        if (arguments.Count == 1)
        {
            (op, operand) = ("=", arguments[0]);
        }
        else if (arguments.Count == 2)
        {
            (op, operand) = (arguments[0], arguments[1]);
        }
        else
        {
            error = "takes [[!]operator] version, e.g. >= 2.4";
            return false;
        }
        bool negated = op.StartsWith('!');
        if (negated)
        {
            op = op[1..];
        }
        bool? result = op switch
        {
            "~" => Matches(operand, ref error),
            "=" or "==" when operand.Length > 1 && operand.StartsWith('/') && operand.EndsWith('/') => Matches(operand[1..^1], ref error),
            "=" or "==" or ">" or ">=" or "<" or "<=" => Compare(operand, ref error) is int c ? op switch
            {
                ">" => c > 0,
                ">=" => c >= 0,
                "<" => c < 0,
                "<=" => c <= 0,
                _ => c == 0,
            } : null,
            _ => null,
        };
        if (result == null)
        {
            error ??= $"unknown operator '{(negated ? "!" : "")}{op}' (=, ==, >, >=, <, <=, ~, or /regex/)";
            return false;
        }
        return result.Value != negated;
    }

    /// <summary>The emulated version against major[.minor[.patch]], over the parts given only (2.4 is equal to every 2.4.x).</summary>
    private static int? Compare(string version, ref string? error)
    {
        string[] parts = version.Split('.');
        int[] emulated = [Emulated.Major, Emulated.Minor, Emulated.Build];
        if (parts.Length > 3)
        {
            error = $"'{version}' is not a version (major[.minor[.patch]])";
            return null;
        }
        for (int i = 0; i < parts.Length; i++)
        {
            if (!int.TryParse(parts[i], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int part))
            {
                error = $"'{version}' is not a version (major[.minor[.patch]])";
                return null;
            }
            if (emulated[i] != part)
            {
                return emulated[i].CompareTo(part);
            }
        }
        return 0;
    }

    private static bool? Matches(string pattern, ref string? error)
    {
        try
        {
            return Regex.IsMatch(Emulated.ToString(3), pattern, RegexOptions.None, TimeSpan.FromSeconds(1));
        }
        catch (RegexMatchTimeoutException)
        {
            error = $"'{pattern}' takes more than a second to test against a version number (it backtracks without end)";
            return null;
        }
        catch (ArgumentException e)
        {
            error = $"'{pattern}' is not a regular expression: {e.Message}";
            return null;
        }
    }
}
