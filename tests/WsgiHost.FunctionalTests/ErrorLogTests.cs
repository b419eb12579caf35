using System.Text.RegularExpressions;
using WsgiHost.FunctionalTests.Infrastructure;

namespace WsgiHost.FunctionalTests;

[Collection(GatewayCollection.Name)]
public sealed class ErrorLogTests(GatewayServer server)
{
    private WsgiHostProcess Host => server.Host;

    [Fact]
    public async Task PrintStderrAndWsgiErrorsBecomeOneApacheShapedLogLinePerLine()
    {
        string tag = Guid.NewGuid().ToString("N");
        using var response = await Host.Client.GetAsync($"/print?{tag}");
        Assert.Equal(200, (int)response.StatusCode);
        string log = await Host.WaitForLogAsync($"errors line b {tag}");
        await Host.WaitForLogAsync($"printed line two {tag}");
        log = Host.ErrorLog;
        await Host.WaitForLogAsync($"partial line {tag}");
        log = Host.ErrorLog;
        foreach (string expected in new[] { $"printed line one {tag}", $"printed line two {tag}", $"stderr line {tag}", $"errors line a {tag}", $"errors line b {tag}", $"buffer line {tag}", $"partial line {tag}" })
        {
            string line = log.Split('\n').Single(l => l.TrimEnd('\r').EndsWith(expected, StringComparison.Ordinal));
            Assert.Matches(new Regex(@"^\[\w{3} \w{3} \d{2} \d{2}:\d{2}:\d{2}\.\d{6} \d{4}\] \[wsgi:error\] \[pid \d+\] \[client 127\.0\.0\.1:\d+\] (printed|stderr|errors|buffer|partial) line"), line);
        }
    }

    [Fact]
    public async Task ControlCharactersAreEscapedAndUndecodableBytesKeepTheirTraceback()
    {
        string tag = Guid.NewGuid().ToString("N");
        using var response = await Host.Client.GetAsync($"/print-hostile?{tag}");
        Assert.Equal(500, (int)response.StatusCode);
        string log = await Host.WaitForLogAsync($"pdf {tag}");
        // Written as Apache writes them, so that tailing the log cannot drive the terminal.
        Assert.Contains($"login failed for \\x1b[2J\\x1b]0;pwned\\x07 {tag}", log, StringComparison.Ordinal);
        Assert.DoesNotContain('\u001b', log);
        // The whole traceback, the file name's bytes as Python escapes them.
        Assert.Contains($"ValueError: /data/r\\udce9sum\\udce9.pdf {tag}", log, StringComparison.Ordinal);
        Assert.Contains("in route_print_hostile", log, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheAccessLogHasACombinedFormatLine()
    {
        string tag = Guid.NewGuid().ToString("N");
        using var response = await Host.Client.GetAsync($"/write?{tag}");
        string output = await Host.WaitForOutputAsync(tag);
        string line = output.Split('\n').Single(l => l.Contains(tag, StringComparison.Ordinal));
        Assert.Matches(new Regex($@"^127\.0\.0\.1 - - \[\d{{2}}/\w{{3}}/\d{{4}}:\d{{2}}:\d{{2}}:\d{{2}} [+-]\d{{4}}\] ""GET /write\?{tag} HTTP/1\.1"" 200 21 ""-"" ""-""$"), line.TrimEnd('\r'));
    }
}
