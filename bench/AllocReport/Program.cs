// AllocReport: where a server's .NET allocations come from, read from an EventPipe trace of
// the runtime's AllocationTick events (one event per ~100 KB allocated, with its type and stack;
// bench/allocs.sh records it with dotnet-trace). Prints each type's share of the sampled bytes,
// then the allocating stacks (type and the innermost frames that have a name).
//
// usage: WsgiHost.AllocReport TRACE.nettrace [--frames N] [--top N]
using System.Globalization;
using Microsoft.Diagnostics.Tracing.Etlx;
using Microsoft.Diagnostics.Tracing.Parsers.Clr;

if (args.Length == 0 || args[0].StartsWith('-'))
{
    Console.Error.WriteLine("usage: WsgiHost.AllocReport TRACE.nettrace [--frames N] [--top N]");
    return 2;
}
int frames = Option("--frames", 6);
int top = Option("--top", 25);

string etlx = TraceLog.CreateFromEventPipeDataFile(args[0]);
using var log = new TraceLog(etlx);
var byType = new Dictionary<string, long>(StringComparer.Ordinal);
var byStack = new Dictionary<string, long>(StringComparer.Ordinal);
long total = 0;
foreach (var e in log.Events)
{
    if (e is not GCAllocationTickTraceData tick)
    {
        continue;
    }
    long bytes = tick.AllocationAmount64;
    total += bytes;
    byType[tick.TypeName] = byType.GetValueOrDefault(tick.TypeName) + bytes;
    var names = new List<string>();
    for (TraceCallStack? s = e.CallStack(); s != null && names.Count < frames; s = s.Caller)
    {
        string name = s.CodeAddress.FullMethodName;
        if (name.Length > 0)
        {
            names.Add(name.Length > 110 ? name[..110] : name);
        }
    }
    string key = tick.TypeName + string.Concat(names.Select(n => "\n        " + n));
    byStack[key] = byStack.GetValueOrDefault(key) + bytes;
}
if (total == 0)
{
    Console.Error.WriteLine("no AllocationTick events in the trace (was the GC keyword 0x1 at level 5 enabled?)");
    return 1;
}
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"sampled {total:N0} bytes ({total / 100_000:N0} ticks of ~100 KB)"));
Console.WriteLine();
Console.WriteLine("by type:");
foreach (var (type, bytes) in byType.OrderByDescending(p => p.Value).Take(top))
{
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {100.0 * bytes / total,5:F1}%  {type}"));
}
Console.WriteLine();
Console.WriteLine("by stack:");
foreach (var (stack, bytes) in byStack.OrderByDescending(p => p.Value).Take(top))
{
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {100.0 * bytes / total,5:F1}%  {stack}"));
}
return 0;

int Option(string name, int fallback)
{
    int i = Array.IndexOf(args, name);
    return i > 0 && i + 1 < args.Length && int.TryParse(args[i + 1], NumberStyles.None, CultureInfo.InvariantCulture, out int v) && v > 0 ? v : fallback;
}
