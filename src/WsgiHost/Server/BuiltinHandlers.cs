using System.Text;
using Microsoft.AspNetCore.Http;
using WsgiHost.Daemon;
using WsgiHost.Python.Wsgi;

namespace WsgiHost.Server;

/// <summary>
/// The handlers `SetHandler` can name in a &lt;Location&gt;, guarded by the section's access rules
/// like any URL: server-status (mod_status; `?auto` for machine-readable), wsgihost-health
/// (200 while serving, 503 once shutdown began, so a load balancer drains before the process
/// goes) and wsgihost-metrics (Prometheus text format).
/// </summary>
internal static class BuiltinHandlers
{
    public static async Task<long> ServeAsync(HttpContext context, string handler, ServerMetrics metrics, WsgiExecutor executor, DaemonGroups daemons)
    {
        HttpResponse response = context.Response;
        (int status, string type, string body) = handler switch
        {
            "wsgihost-health" => metrics.Draining ? (503, "text/plain", "draining\n") : (200, "text/plain", "ok\n"),
            "wsgihost-metrics" => (200, PrometheusText.ContentType, metrics.Prometheus(Readings(executor, daemons))),
            _ => context.Request.Query.ContainsKey("auto")
                ? (200, "text/plain", metrics.StatusAuto((int)Math.Min(metrics.InFlight, executor.ThreadCount), (int)Math.Max(0, executor.ThreadCount - metrics.InFlight)))
                : (200, "text/html; charset=utf-8", StatusPage(metrics, executor, daemons)),
        };
        byte[] bytes = Encoding.UTF8.GetBytes(body);
        response.StatusCode = status;
        response.ContentType = type;
        response.ContentLength = bytes.Length;
        response.Headers.CacheControl = "no-store";
        if (!HttpMethods.IsHead(context.Request.Method))
        {
            await response.Body.WriteAsync(bytes).ConfigureAwait(false);
        }
        return bytes.Length;
    }

    /// <summary>The gauges as they are now; each worker's memory is read from /proc at this moment.</summary>
    private static MetricsReadings Readings(WsgiExecutor executor, DaemonGroups daemons) => new(
        executor.QueueLength,
        executor.ThreadCount,
        [.. daemons.All.OrderBy(g => g.Name, StringComparer.Ordinal).Select(g => new DaemonGroupReading(
            g.Name,
            g.QueueLength,
            g.Config.EffectiveProcesses * g.Config.Threads,
            [.. g.Workers.Select(w => (w.Slot, ProcessMemory.ResidentBytes(w.Pid)))]))],
        ProcessMemory.ResidentBytes(Environment.ProcessId))
    {
        Gc = GcReading.Now(),
        Threading = ThreadingReading.Now(),
    };

    private static string StatusPage(ServerMetrics metrics, WsgiExecutor executor, DaemonGroups daemons)
    {
        string Encode(string s) => System.Net.WebUtility.HtmlEncode(s);
        var b = new StringBuilder("<!DOCTYPE html>\n<html><head><title>WsgiHost Status</title></head><body>\n<h1>WsgiHost Status</h1>\n<dl>\n");
        b.Append($"<dt>Started</dt><dd>{metrics.Started:u}</dd>\n");
        b.Append($"<dt>Requests</dt><dd>{metrics.Total} total, {metrics.InFlight} in flight</dd>\n");
        b.Append($"<dt>Embedded WSGI threads</dt><dd>{executor.ThreadCount}, {executor.QueueLength} request(s) waiting</dd>\n");
        foreach (var (group, pids) in daemons.Pids)
        {
            b.Append($"<dt>Daemon group {Encode(group)}</dt><dd>workers {string.Join(", ", pids)}</dd>\n");
        }
        b.Append("</dl>\n</body></html>\n");
        return b.ToString();
    }
}
