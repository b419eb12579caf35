using System.Globalization;
using System.Text;

namespace WsgiHost.Server;

/// <summary>
/// Prometheus' text exposition format 0.0.4: a HELP and a TYPE line per metric family, then
/// its samples, label values escaped (backslash, double quote, newline) and numbers written
/// as Go writes them (+Inf, -Inf, NaN; shortest round-trip otherwise).
/// </summary>
internal sealed class PrometheusText
{
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    private readonly StringBuilder _text = new();

    /// <summary>Starts a metric family; <paramref name="type"/> is counter, gauge or histogram.</summary>
    public PrometheusText Family(string name, string type, string help)
    {
        _text.Append("# HELP ").Append(name).Append(' ');
        AppendEscaped(help, escapeQuote: false);
        _text.Append("\n# TYPE ").Append(name).Append(' ').Append(type).Append('\n');
        return this;
    }

    /// <summary>One sample; <paramref name="labels"/> are name/value pairs, in the order given.</summary>
    public PrometheusText Sample(string name, double value, params ReadOnlySpan<(string Name, string Value)> labels)
    {
        _text.Append(name);
        if (labels.Length > 0)
        {
            _text.Append('{');
            for (int i = 0; i < labels.Length; i++)
            {
                if (i > 0)
                {
                    _text.Append(',');
                }
                _text.Append(labels[i].Name).Append("=\"");
                AppendEscaped(labels[i].Value, escapeQuote: true);
                _text.Append('"');
            }
            _text.Append('}');
        }
        _text.Append(' ').Append(Number(value)).Append('\n');
        return this;
    }

    /// <summary>
    /// A histogram's samples: cumulative _bucket lines for each upper bound and +Inf, then _sum
    /// and _count. <paramref name="counts"/> holds one count per bound plus the overflow.
    /// </summary>
    public PrometheusText Histogram(string name, IReadOnlyList<double> bounds, IReadOnlyList<long> counts, double sum, params (string Name, string Value)[] labels)
    {
        (string, string)[] withLe = [.. labels, ("le", "")];
        long cumulative = 0;
        for (int i = 0; i <= bounds.Count; i++)
        {
            cumulative += counts[i];
            withLe[^1] = ("le", i < bounds.Count ? Number(bounds[i]) : "+Inf");
            Sample(name + "_bucket", cumulative, withLe);
        }
        Sample(name + "_sum", sum, labels);
        Sample(name + "_count", cumulative, labels);
        return this;
    }

    public override string ToString() => _text.ToString();

    public static string Number(double value) =>
        double.IsPositiveInfinity(value) ? "+Inf"
        : double.IsNegativeInfinity(value) ? "-Inf"
        : double.IsNaN(value) ? "NaN"
        : value.ToString("R", CultureInfo.InvariantCulture);

    /// <summary>HELP text escapes backslash and newline; label values also the double quote.</summary>
    private void AppendEscaped(string value, bool escapeQuote)
    {
        foreach (char c in value)
        {
            _ = c switch
            {
                '\\' => _text.Append(@"\\"),
                '"' when escapeQuote => _text.Append("\\\""),
                '\n' => _text.Append(@"\n"),
                _ => _text.Append(c),
            };
        }
    }
}
