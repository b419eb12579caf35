using WsgiHost.Logging;
using WsgiHost.Metadata;

namespace WsgiHost.Server;

/// <summary>One CustomLog line of a scope: the log it writes to (shared by lines naming the same file and format) and its env= condition.</summary>
internal readonly record struct ScopedAccessLog(AccessLog Log, VariableCondition? Condition)
{
    /// <summary>Whether the request's variables let this line log it.</summary>
    public bool Logs(IReadOnlyList<KeyValuePair<string, string?>>? variables) => Condition == null || Condition.Holds(variables ?? []);
}
