using System.Text;

namespace WsgiHost.Logging;

/// <summary>Writes one compiled %-directive's value for a request.</summary>
internal delegate void LogFieldWriter(StringBuilder output, in AccessLogEntry entry);
