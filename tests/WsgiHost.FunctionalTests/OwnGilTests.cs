using System.Net;
using WsgiHost.FunctionalTests.Infrastructure;

namespace WsgiHost.FunctionalTests;

/// <summary>
/// WSGISubInterpreterGIL Own (PEP 684, Python 3.12+): an application group's sub-interpreter
/// has a GIL of its own, so it keeps serving while the main interpreter's GIL is held by a C
/// call, which under one shared GIL would stop every group.
/// </summary>
public sealed class OwnGilTests
{
    private static Task<WsgiHostProcess> RunAsync(string gil, string python)
    {
        int port = WsgiHostProcess.FreePort();
        return WsgiHostProcess.RunAsync(Path.Combine(WsgiHostProcess.TestAppsDirectory, "configs", "own-gil.conf"), port,
            new Dictionary<string, string> { ["PORT"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture), ["GIL"] = gil }, "--python", python);
    }

    /// <summary>
    /// The main interpreter's GIL is held for 8 s by a C call; the own-GIL group answers while
    /// that request is still running. (With Shared, its request would wait for the hold to end:
    /// the negative case below.)
    /// </summary>
    [Theory]
    [PythonVersionData("3.13")]
    public async Task AnOwnGilGroupServesWhileTheMainInterpretersGilIsHeld(string minor, string python)
    {
        await using var host = await RunAsync("Own", python);
        // Created and loaded before the hold: creating an interpreter takes the main GIL.
        Assert.Equal(HttpStatusCode.OK, (await host.Client.GetAsync("/own/pid")).StatusCode);
        await host.WaitForLogAsync("Create interpreter 'own' with its own GIL.");

        Task<HttpResponseMessage> hold = host.Client.GetAsync("/main/hold-gil?8");
        await host.WaitForLogAsync("holding the GIL");
        using HttpResponseMessage own = await host.Client.GetAsync("/own/environ");
        Assert.Equal(HttpStatusCode.OK, own.StatusCode);
        Assert.False(hold.IsCompleted, $"Python {minor}: the own-GIL group answered only after the main interpreter's GIL was released");
        using var environ = System.Text.Json.JsonDocument.Parse(await own.Content.ReadAsStringAsync());
        Assert.Equal("own", environ.RootElement.GetProperty("mod_wsgi.application_group").GetProperty("value").GetString());
        using (HttpResponseMessage released = await hold)
        {
            Assert.Equal("released", await released.Content.ReadAsStringAsync());
        }
        // Ends cleanly: the own-GIL interpreter is ended under its own GIL, then Python finalises.
        Assert.Equal(0, await host.StopAsync());
        Assert.DoesNotContain("did not finish shutting down", host.ErrorLog, StringComparison.Ordinal);
    }

    /// <summary>Shared (mod_wsgi's behaviour, the default): the group waits for the held GIL. The control for the test above.</summary>
    [Theory]
    [PythonVersionData("3.13")]
    public async Task WithASharedGilTheGroupWaitsForTheHeldGil(string minor, string python)
    {
        await using var host = await RunAsync("Shared", python);
        Assert.Equal(HttpStatusCode.OK, (await host.Client.GetAsync("/own/pid")).StatusCode);
        Task<HttpResponseMessage> hold = host.Client.GetAsync("/main/hold-gil?4");
        await host.WaitForLogAsync("holding the GIL");
        // The line is written just before the C call: give the holding thread a moment to be
        // inside it, or the group's request could slip in between (not a timing assertion).
        await Task.Delay(1000);
        using HttpResponseMessage own = await host.Client.GetAsync("/own/pid");
        // Both answers are unblocked by the same release and may reach the client in either
        // order; with a GIL of its own the group would have answered about 3 s before the hold ended.
        Assert.True(await Task.WhenAny(hold, Task.Delay(1500)) == hold, $"Python {minor}: with one GIL, the group answered while the GIL was held");
        (await hold).Dispose();
    }

    /// <summary>
    /// The executor queues requests per GIL. With one WSGI thread and group a's queue never
    /// empty (16 clients ask again as soon as they are answered), a request for group b is
    /// answered in its turn: the thread ends a's batch when b waits with no thread under its
    /// GIL and takes the longest-waiting request, rather than running a's queue for as long as
    /// it refills (which kept b waiting 12-27 s, behind 175-470 of a's requests).
    /// </summary>
    [Theory]
    [PythonVersionData("3.13")]
    public async Task ABusyGroupDoesNotKeepTheOnlyThreadFromAnotherGil(string minor, string python)
    {
        int port = WsgiHostProcess.FreePort();
        await using var host = await WsgiHostProcess.RunAsync(Path.Combine(WsgiHostProcess.TestAppsDirectory, "configs", "own-gil-one-thread.conf"), port,
            new Dictionary<string, string> { ["PORT"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture) }, "--python", python);
        // Both interpreters made first (creating one takes the main GIL, not what is tested).
        Assert.Equal(HttpStatusCode.OK, (await host.Client.GetAsync("/a/pid")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await host.Client.GetAsync("/b/pid")).StatusCode);
        await host.WaitForLogAsync("Create interpreter 'b' with its own GIL.");

        const int Clients = 16;
        using var stop = new CancellationTokenSource();
        long answeredForA = 0;
        async Task LoadA()
        {
            using var client = new HttpClient { BaseAddress = host.Client.BaseAddress };
            while (!stop.IsCancellationRequested)
            {
                using HttpResponseMessage r = await client.GetAsync("/a/spin?0.05", CancellationToken.None);
                Assert.Equal(HttpStatusCode.OK, r.StatusCode);
                Interlocked.Increment(ref answeredForA);
            }
        }
        Task[] load = [.. Enumerable.Range(0, Clients).Select(_ => Task.Run(LoadA))];
        // Until a's queue is full; a client that failed ends the wait (and the test, below).
        while (Interlocked.Read(ref answeredForA) < 2 * Clients && load.All(t => !t.IsCompleted))
        {
            await Task.Delay(20);
        }
        long before = Interlocked.Read(ref answeredForA);
        using HttpResponseMessage b = await host.Client.GetAsync("/b/spin?0.005");
        long overtaken = Interlocked.Read(ref answeredForA) - before;
        bool loadStillRunning = load.All(t => !t.IsCompleted);
        await stop.CancelAsync();
        await Task.WhenAll(load);
        Assert.Equal(HttpStatusCode.OK, b.StatusCode);
        Assert.Equal("spun", await b.Content.ReadAsStringAsync());
        Assert.True(loadStillRunning, $"Python {minor}: the load on group a failed while b was waiting");
        // Served in arrival order, b waits for the request running and the Clients - 1 queued
        // ahead of it (16 measured), plus any answered while b's request was on its way.
        Assert.True(overtaken < 2 * Clients, $"Python {minor}: {overtaken} of group a's requests were answered while group b's waited");
        Assert.Equal(0, await host.StopAsync());
    }

    /// <summary>3.11 has no PEP 684; 3.12 has it, but ending an isolated interpreter aborts its finalisation when embedded.</summary>
    [Theory]
    [InlineData("3.11")]
    [PythonVersionData("3.12")]
    public async Task OlderPythonsWarnAndShareTheGil(string minor, string? python = null)
    {
        await using var host = await RunAsync("Own", python ?? Pythons.Debian);
        Assert.Equal(HttpStatusCode.OK, (await host.Client.GetAsync("/own/pid")).StatusCode);
        await host.WaitForLogAsync($"Sub-interpreters with their own GIL (WSGISubInterpreterGIL Own) need Python 3.13 or later here; Python {minor}.");
        Assert.DoesNotContain("with its own GIL", host.ErrorLog, StringComparison.Ordinal);
        Assert.Equal(0, await host.StopAsync());
    }
}
