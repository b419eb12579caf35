using WsgiHost.Logging;
using WsgiHost.Python.Runtime;

namespace WsgiHost.Tests.Logging;

/// <summary>A daemon worker's error-log line taken apart again for a host's ILogger.</summary>
public sealed class ErrorLogLineTests
{
    [Fact]
    public async Task ALineWrittenByTheErrorLogParsesBackToItsParts()
    {
        var writer = new StringWriter();
        await using (var log = new ApacheErrorLog(writer, ErrorLogLevel.Debug))
        {
            log.Write(ErrorLogLevel.Warning, "wsgi", "worker: something [odd]: here");
        }
        string line = writer.ToString().TrimEnd('\n');
        Assert.True(ApacheErrorLog.TryParseLine(line, out ErrorLogLevel level, out string module, out string message));
        Assert.Equal(ErrorLogLevel.Warning, level);
        Assert.Equal("wsgi", module);
        Assert.Equal($"[pid {Environment.ProcessId}] worker: something [odd]: here", message);
    }

    [Fact]
    public async Task EachLineOfARequestsMessageNamesItsClient()
    {
        // As Apache's request lines: a traceback's every line carries [client ...].
        var writer = new StringWriter();
        await using (var log = new ApacheErrorLog(writer, ErrorLogLevel.Debug))
        {
            log.Write(ErrorLogLevel.Error, "wsgi", "[client 192.0.2.7:5150] Exception occurred.\nTraceback (most recent call last):\n  File \"app.wsgi\", line 3");
            log.Write(ErrorLogLevel.Error, "wsgi", "no client\nsecond line");
        }
        string[] lines = writer.ToString().TrimEnd('\n').Split('\n');
        Assert.Equal(5, lines.Length);
        Assert.EndsWith($"[pid {Environment.ProcessId}] [client 192.0.2.7:5150] Exception occurred.", lines[0]);
        Assert.EndsWith($"[pid {Environment.ProcessId}] [client 192.0.2.7:5150] Traceback (most recent call last):", lines[1]);
        Assert.EndsWith($"[pid {Environment.ProcessId}] [client 192.0.2.7:5150]   File \"app.wsgi\", line 3", lines[2]);
        Assert.EndsWith($"[pid {Environment.ProcessId}] second line", lines[4]);
    }

    [Fact]
    public async Task NoticesAreWrittenWhateverTheLogLevelAsApacheWritesItsStartsAndRestarts()
    {
        var writer = new StringWriter();
        await using (var log = new ApacheErrorLog(writer, ErrorLogLevel.Critical, moduleLevels: new Dictionary<string, ErrorLogLevel> { ["wsgi"] = ErrorLogLevel.Error }))
        {
            log.Write(ErrorLogLevel.Notice, "core", "SIGHUP: configuration reloaded");
            log.Write(ErrorLogLevel.Notice, "wsgi", "daemon workers restarted");
            log.Write(ErrorLogLevel.Warning, "core", "a warning below crit");
            log.Write(ErrorLogLevel.Info, "wsgi", "info below the module's error");
            log.Write(ErrorLogLevel.Error, "wsgi", "the module's own level");
        }
        string[] lines = writer.ToString().TrimEnd('\n').Split('\n');
        Assert.Equal(3, lines.Length);
        Assert.EndsWith("SIGHUP: configuration reloaded", lines[0]);
        Assert.Contains("[core:notice]", lines[0]);
        Assert.EndsWith("daemon workers restarted", lines[1]);
        Assert.EndsWith("the module's own level", lines[2]);
    }

    [Theory]
    [InlineData("[Sun Nov 22 05:30:26.123456 2026] [core:crit] [pid 7] gone", ErrorLogLevel.Critical, "core", "[pid 7] gone")]
    [InlineData("[Sun Nov 22 05:30:26.123456 2026] [ssl:debug] x", ErrorLogLevel.Debug, "ssl", "x")]
    [InlineData("[Sun Nov 22 05:30:26.123456 2026] [wsgi:info]", ErrorLogLevel.Info, "wsgi", "")]
    public void ApacheShapedLinesParse(string line, ErrorLogLevel level, string module, string message)
    {
        Assert.True(ApacheErrorLog.TryParseLine(line, out ErrorLogLevel l, out string m, out string text));
        Assert.Equal((level, module, message), (l, m, text));
    }

    [Theory]
    [InlineData("Fatal error. Internal CLR error.")]
    [InlineData("[Sun Nov 22] no tag")]
    [InlineData("[Sun Nov 22 05:30:26 2026] [wsgi:loud] unknown level")]
    [InlineData("[x] [nocolon] y")]
    [InlineData("")]
    public void OtherLinesDoNot(string line) => Assert.False(ApacheErrorLog.TryParseLine(line, out _, out _, out _));
}
