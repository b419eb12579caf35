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
