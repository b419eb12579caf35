using System.Globalization;
using WsgiHost.Configuration.Syntax;

namespace WsgiHost.Configuration.Directives;

/// <summary>
/// Limits on what a client sends and how slowly: Apache core's LimitRequestFields,
/// LimitRequestFieldSize and LimitRequestLine, and mod_reqtimeout's RequestReadTimeout. They act
/// server-wide (Kestrel's limits are per server, as Apache's are per address in practice).
/// </summary>
internal static class RequestLimitDirectives
{
    private const DirectiveScope SV = DirectiveScope.ServerAndVirtualHost;

    public static IEnumerable<DirectiveSpec> All() =>
    [
        // Apache: 0 (unlimited) to 32767.
        new("LimitRequestFields", SV, 1, 1, "number", (n, c) => Set(n, c, 32767, (l, v) => l with { MaxFields = v })),
        new("LimitRequestFieldSize", SV, 1, 1, "bytes", (n, c) => Set(n, c, 65536, (l, v) => l with { MaxFieldSize = v })),
        new("LimitRequestLine", SV, 1, 1, "bytes", (n, c) => Set(n, c, 65536, (l, v) => l with { MaxRequestLine = v })),
        new("RequestReadTimeout", SV, 1, 3, "[handshake=timeout[-maxtimeout][,MinRate=rate]] [header=...] [body=...]", RequestReadTimeout),
    ];

    private static void Set(ConfigNode node, BuildContext context, long max, Func<Model.RequestLimits, int, Model.RequestLimits> with)
    {
        if (context.Number(node, node.Name, node.Arguments[0], 0, max) is long value)
        {
            ServerWide(node, context);
            context.Site.RequestLimits = with(context.Site.RequestLimits, (int)value);
        }
    }

    private static void ServerWide(ConfigNode node, BuildContext context)
    {
        if (context.Scope.IsVirtualHost)
        {
            context.Note(node, "applies to the whole server in WsgiHost, not only this virtual host");
        }
    }

    /// <summary>
    /// <c>header=20-40,MinRate=500 body=20,MinRate=500</c>. Kestrel bounds the header section by
    /// time only, so a header range takes its maximum (a slowloris client is cut off there, as
    /// Apache cuts it off at the latest); the body's timeout and MinRate become Kestrel's
    /// MinRequestBodyDataRate (the rate, after a grace period of the timeout). 0 turns a stage off.
    /// </summary>
    private static void RequestReadTimeout(ConfigNode node, BuildContext context)
    {
        Model.RequestLimits limits = context.Site.RequestLimits;
        foreach (string argument in node.Arguments)
        {
            if (!TryParseStage(argument, out string stage, out int timeout, out int? max, out int? rate, out string? problem))
            {
                context.Error(node, problem!, "for example RequestReadTimeout header=20-40,MinRate=500 body=20,MinRate=500");
                return;
            }
            switch (stage)
            {
                case "handshake":
                    context.Note(node, "handshake= is not applied: Kestrel bounds TLS handshakes itself");
                    break;
                case "header":
                    limits = limits with { HeaderTimeoutSeconds = max ?? timeout };
                    break;
                default:
                    limits = limits with { BodyTimeoutSeconds = timeout, BodyMinRate = rate };
                    break;
            }
        }
        ServerWide(node, context);
        context.Site.RequestLimits = limits;
    }

    /// <summary>One <c>stage=timeout[-maxtimeout][,MinRate=rate]</c>, with mod_reqtimeout's rules.</summary>
    internal static bool TryParseStage(string argument, out string stage, out int timeout, out int? max, out int? rate, out string? problem)
    {
        (timeout, max, rate, problem) = (0, null, null, null);
        int equals = argument.IndexOf('=');
        stage = equals < 0 ? argument : argument[..equals].ToLowerInvariant();
        if (equals < 0 || stage is not ("handshake" or "header" or "body"))
        {
            problem = $"'{argument}' is not handshake=, header= or body=";
            return false;
        }
        string[] parts = argument[(equals + 1)..].Split(',');
        string[] range = parts[0].Split('-');
        int upper = 0;
        if (range.Length > 2 || !Seconds(range[0], out timeout) || (range.Length == 2 && !Seconds(range[1], out upper)))
        {
            problem = $"'{argument}': the timeout must be seconds or a range of seconds (20 or 20-40)";
            return false;
        }
        if (range.Length == 2)
        {
            max = upper;
            if (max < timeout)
            {
                problem = $"'{argument}': the maximum timeout is below the timeout";
                return false;
            }
        }
        foreach (string option in parts.Skip(1))
        {
            if (!option.StartsWith("MinRate=", StringComparison.OrdinalIgnoreCase)
                || !int.TryParse(option.AsSpan(8), NumberStyles.None, CultureInfo.InvariantCulture, out int r) || r < 1)
            {
                problem = $"'{argument}': '{option}' is not MinRate=bytes-per-second (a whole number of at least 1)";
                return false;
            }
            rate = r;
        }
        if (max != null && rate == null)
        {
            // mod_reqtimeout: the range grows with the data received, so it needs a rate.
            problem = $"'{argument}': a timeout range needs MinRate=";
            return false;
        }
        return true;

        static bool Seconds(string text, out int value) =>
            int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value) && value <= 86400;
    }
}
