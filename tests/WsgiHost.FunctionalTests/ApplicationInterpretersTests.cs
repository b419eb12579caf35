using System.Net;
using System.Text.Json;
using WsgiHost.FunctionalTests.Infrastructure;

namespace WsgiHost.FunctionalTests;

/// <summary>
/// WSGIApplicationInterpreters / serve --interpreters / interpreters= (Python 3.13+): one
/// process runs an application in several interpreters, the extra ones with a GIL each; a
/// request goes to the interpreter with the fewest requests queued and running, the first on
/// a tie.
/// </summary>
public sealed class ApplicationInterpretersTests
{
    private static readonly string Script = Path.Combine(WsgiHostProcess.TestAppsDirectory, "groups", "interpreters.wsgi");

    private sealed record Answer(string Token, long? Interpreter, int Pid, string Group, bool MultiProcess);

    private static async Task<Answer> AskAsync(HttpClient client, string query = "")
    {
        using HttpResponseMessage response = await client.GetAsync("/" + query);
        string body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode}: {body}");
        using JsonDocument document = JsonDocument.Parse(body);
        JsonElement json = document.RootElement;
        return new Answer(json.GetProperty("token").GetString()!,
            json.GetProperty("interpreter").ValueKind == JsonValueKind.Null ? null : json.GetProperty("interpreter").GetInt64(),
            json.GetProperty("pid").GetInt32(), json.GetProperty("application_group").GetString()!, json.GetProperty("multiprocess").GetBoolean());
    }

    /// <summary>Two requests at once, each running long enough that the second is picked while the first runs.</summary>
    private static async Task<Answer[]> TwoAtOnceAsync(HttpClient client) =>
        await Task.WhenAll(AskAsync(client, "?sleep=1"), AskAsync(client, "?sleep=1"));

    [Theory]
    [PythonVersionData("3.13")]
    public Task EmbeddedTheAppRunsInTwoInterpretersOfTheServerProcess(string minor, string python) =>
        TwoInterpretersAsync(minor, WsgiHostProcess.StartAsync(Script, "--interpreters", "2", "--python", python));

    [Theory]
    [PythonVersionData("3.13")]
    public Task InDaemonModeTheAppRunsInTwoInterpretersOfTheWorker(string minor, string python) =>
        TwoInterpretersAsync(minor, WsgiHostProcess.StartDaemonAsync(Script, "--interpreters", "2", "--python", python));

    private static async Task TwoInterpretersAsync(string minor, Task<WsgiHostProcess> starting)
    {
        await using WsgiHostProcess host = await starting;
        // One at a time: the first interpreter takes every request (the second stays cold). The
        // executor counts a request as load until its app returns; in daemon mode the worker
        // sends the response just before that, so a request may arrive a moment early on a busy
        // machine. Each waits until the server is idle again. (Before the executor counted
        // requests, it counted a thread as load until it found its queue empty: CI's native pass
        // saw the second interpreter take a one-at-a-time request, 2026-12-05.)
        Answer first = await AskAsync(host.Client);
        for (int i = 0; i < 3; i++)
        {
            await Task.Delay(100);
            Assert.Equal(first.Token, (await AskAsync(host.Client)).Token);
        }
        Answer[] both = await TwoAtOnceAsync(host.Client);
        Assert.True(both[0].Token != both[1].Token, $"Python {minor}: two requests at once ran in the same interpreter");
        Assert.NotEqual(both[0].Interpreter, both[1].Interpreter);
        Assert.Contains(both, a => a.Token == first.Token);
        // One process, one application group as configured, and told that module state is not shared.
        Assert.All(both, a => Assert.Equal((first.Pid, "", true), (a.Pid, a.Group, a.MultiProcess)));
        await host.WaitForLogAsync("Create interpreter 2 of application group '%{GLOBAL}' with its own GIL.");
        Assert.Equal(0, await host.StopAsync());
        Assert.DoesNotContain("did not finish shutting down", host.ErrorLog, StringComparison.Ordinal);
    }

    /// <summary>WSGIImportScript loads the script into every interpreter of the group before the first request.</summary>
    [Theory]
    [PythonVersionData("3.13")]
    public async Task ImportScriptLoadsTheScriptIntoEachInterpreter(string minor, string python)
    {
        await using WsgiHostProcess host = await WsgiHostProcess.RunConfigAsync("interpreters-preload.conf", "--python", python);
        await host.WaitForLogAsync("Create interpreter 2 of application group '%{GLOBAL}' with its own GIL.");
        string imported = $"Imported WSGI script '{Script}' at startup.";
        Assert.True(System.Text.RegularExpressions.Regex.Matches(host.ErrorLog, System.Text.RegularExpressions.Regex.Escape(imported)).Count == 2,
            $"Python {minor}: expected two imports at startup in\n{host.ErrorLog}");
        Answer[] both = await TwoAtOnceAsync(host.Client);
        Assert.NotEqual(both[0].Token, both[1].Token);
        Assert.Equal(0, await host.StopAsync());
    }

    /// <summary>
    /// An extension module that refuses isolated interpreters fails the script's import in the
    /// second interpreter: that request is served by the first, the log says why and what to
    /// change, and the second interpreter is not tried again.
    /// </summary>
    [Theory]
    [PythonVersionData("3.13")]
    public async Task AnInterpreterTheScriptCannotLoadInIsLeftOut(string minor, string python)
    {
        string script = Path.Combine(WsgiHostProcess.TestAppsDirectory, "groups", "refuses_isolation.wsgi");
        await using WsgiHostProcess host = await WsgiHostProcess.StartAsync(script, "--interpreters", "2", "--python", python);
        for (int round = 0; round < 2; round++)
        {
            string[] tokens = await Task.WhenAll(Enumerable.Range(0, 2).Select(async _ =>
            {
                using HttpResponseMessage r = await host.Client.GetAsync("/?sleep=1");
                string body = await r.Content.ReadAsStringAsync();
                Assert.True(r.StatusCode == HttpStatusCode.OK, $"Python {minor}, round {round}: {(int)r.StatusCode} {body}");
                using JsonDocument document = JsonDocument.Parse(body);
                return document.RootElement.GetProperty("token").GetString()!;
            }));
            Assert.Equal(tokens[0], tokens[1]);
        }
        string log = await host.WaitForLogAsync("its requests go to the application's other interpreters from now on.");
        Assert.Contains("does not support loading in subinterpreters", log, StringComparison.Ordinal);
        Assert.Contains("This script runs in interpreter 2 of application group '%{GLOBAL}'", log, StringComparison.Ordinal);
        Assert.Single(System.Text.RegularExpressions.Regex.Matches(log, "Failed to exec Python script file"));
        Assert.Equal(0, await host.StopAsync());
    }

    /// <summary>request-timeout reaches a request in the second interpreter: RequestTimeout is raised in that interpreter, a 504, the worker lives on.</summary>
    [Theory]
    [PythonVersionData("3.13")]
    public async Task RequestTimeoutInterruptsARequestInTheSecondInterpreter(string minor, string python)
    {
        await using WsgiHostProcess host = await WsgiHostProcess.RunConfigAsync("daemon-interpreters.conf", "--python", python);
        // The first interpreter is busy (for less than request-timeout), so the spin goes to the second.
        Task<HttpResponseMessage> hold = host.Client.GetAsync("/announced-sleep?2.5&hold");
        await host.WaitForLogAsync("sleeping hold");
        using (HttpResponseMessage stuck = await host.Client.GetAsync("/spin?60"))
        {
            Assert.True(stuck.StatusCode == HttpStatusCode.GatewayTimeout, $"Python {minor}: {(int)stuck.StatusCode}");
        }
        using (HttpResponseMessage held = await hold)
        {
            Assert.Equal("slept", await held.Content.ReadAsStringAsync());
        }
        string log = await host.WaitForLogAsync("ran past request-timeout and was interrupted (RequestTimeout raised in its thread); answering 504.");
        Assert.Contains("Create interpreter 2 of application group '%{GLOBAL}' with its own GIL.", log, StringComparison.Ordinal);
        Assert.DoesNotContain("recycling worker", log, StringComparison.Ordinal);
        Assert.Equal("spun", await host.Client.GetStringAsync("/spin?0.1"));
        Assert.Equal(0, await host.StopAsync());
    }

    /// <summary>Before 3.13 there are no own-GIL interpreters here: a warning that names the alternatives, and one interpreter.</summary>
    [Theory]
    [InlineData("3.11")]
    [PythonVersionData("3.12")]
    public async Task OlderPythonsWarnAndRunOneInterpreter(string minor, string? python = null)
    {
        await using WsgiHostProcess host = await WsgiHostProcess.StartAsync(Script, "--interpreters", "2", "--python", python ?? Pythons.Debian);
        Answer[] both = await TwoAtOnceAsync(host.Client);
        Assert.Equal(both[0].Token, both[1].Token);
        await host.WaitForLogAsync($"Running each application in 2 interpreters (WSGIApplicationInterpreters, --interpreters) needs Python 3.13 or later; Python {minor}.");
        Assert.DoesNotContain("Create interpreter 2", host.ErrorLog, StringComparison.Ordinal);
        Assert.Equal(0, await host.StopAsync());
    }
}
