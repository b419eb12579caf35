using WsgiHost.Logging;
using WsgiHost.Python.Runtime;

namespace WsgiHost.Tests.Logging;

public sealed class LogFormatTests
{
    [Fact]
    public void ErrorLogTimeIsApachesShape() =>
        Assert.Equal("Sun Nov 22 05:30:26.123456 2026", ApacheErrorLog.FormatTime(new DateTime(2026, 11, 22, 5, 30, 26).AddTicks(1234567)));

    [Fact]
    public async Task EveryLineOfAMessageGetsThePrefix()
    {
        var writer = new StringWriter();
        await using (var log = new ApacheErrorLog(writer, ErrorLogLevel.Info))
        {
            log.Write(ErrorLogLevel.Error, "wsgi", "Traceback:\n  File x\nValueError: y");
            log.Write(ErrorLogLevel.Debug, "wsgi", "below the level");
        }
        string[] lines = writer.ToString().TrimEnd('\n').Split('\n');
        Assert.Equal(3, lines.Length);
        Assert.All(lines, l => Assert.Matches(@"^\[[^\]]+\] \[wsgi:error\] \[pid \d+\] ", l));
        Assert.EndsWith("ValueError: y", lines[2]);
    }

    [Fact]
    public async Task AModuleWithItsOwnLevelIsFilteredByItAndTheOthersByTheServerLevel()
    {
        var writer = new StringWriter();
        var modules = new Dictionary<string, ErrorLogLevel>(StringComparer.OrdinalIgnoreCase) { ["wsgi"] = ErrorLogLevel.Debug, ["ssl"] = ErrorLogLevel.Error };
        await using (var log = new ApacheErrorLog(writer, ErrorLogLevel.Info, moduleLevels: modules))
        {
            log.Write(ErrorLogLevel.Debug, "wsgi", "wsgi debug");
            log.Write(ErrorLogLevel.Debug, "core", "core debug");
            log.Write(ErrorLogLevel.Info, "core", "core info");
            log.Write(ErrorLogLevel.Warning, "ssl", "ssl warn");
            log.Write(ErrorLogLevel.Error, "ssl", "ssl error");
        }
        string[] messages = [.. writer.ToString().TrimEnd('\n').Split('\n').Select(l => l[(l.IndexOf("] ", l.IndexOf("[pid", StringComparison.Ordinal), StringComparison.Ordinal) + 2)..])];
        Assert.Equal(["wsgi debug", "core info", "ssl error"], messages);
    }

    [Theory]
    [InlineData("plain", "plain")]
    [InlineData("a \"quoted\" \\ thing", "a \\\"quoted\\\" \\\\ thing")]
    [InlineData("ctl\u0001", "ctl\\x01")]
    public void AccessLogEscapesLikeApache(string raw, string logged) => Assert.Equal(logged, LogItemEscaper.Escape(raw));
}
