using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;
using WsgiHost.FunctionalTests.Infrastructure;

namespace WsgiHost.FunctionalTests;

/// <summary>
/// examples/aspnetcore as its own process (as `dotnet run` starts it) on 127.0.0.1: the .NET
/// and Flask endpoints behind one policy, and a clean stop on SIGTERM (the host drains, the
/// WSGI threads stop, then Python is finalised).
/// </summary>
public sealed class AspNetCoreExampleTests
{
    private static string ExampleDll()
    {
        // The same configuration as this test assembly (bin/Debug or bin/Release).
        string configuration = new DirectoryInfo(Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory)).Parent!.Name;
        string dll = Path.Combine(WsgiHostProcess.RepoRoot, "examples", "aspnetcore", "bin", configuration, "net10.0", "AspNetCoreExample.dll");
        Assert.True(File.Exists(dll), $"build the example first: {dll}");
        return dll;
    }

    /// <param name="daemon">Null: Flask embedded in the host; else the options of the daemon group it runs in.</param>
    [Theory]
    [InlineData(null)]
    [InlineData("processes=2 threads=2")]
    public async Task TheExampleServesBothEndpointsBehindOnePolicyAndStopsCleanly(string? daemon)
    {
        int port = WsgiHostProcess.FreePort();
        var psi = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.Combine(WsgiHostProcess.RepoRoot, "examples", "aspnetcore"),
        };
        psi.ArgumentList.Add(ExampleDll());
        psi.ArgumentList.Add("--urls");
        psi.ArgumentList.Add($"http://127.0.0.1:{port}");
        if (daemon != null)
        {
            psi.ArgumentList.Add("--Notes:Daemon=" + daemon);
        }
        psi.Environment.Remove("PYTHONPATH");
        var output = new StringBuilder();
        using var process = new Process { StartInfo = psi };
        process.OutputDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        process.ErrorDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        string Output() { lock (output) { return output.ToString(); } }
        try
        {
            using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(30) };
            await WaitUntilAsync(() => Output().Contains("Now listening on", StringComparison.Ordinal) || process.HasExited, Output);
            Assert.False(process.HasExited, Output());

            Assert.Equal(HttpStatusCode.Unauthorized, await StatusAsync(client, "/notes/", null));
            Assert.Equal(HttpStatusCode.Forbidden, await StatusAsync(client, "/notes/", "guest"));
            Assert.Equal(HttpStatusCode.Unauthorized, await StatusAsync(client, "/api/hello", null));
            Assert.Equal(HttpStatusCode.Forbidden, await StatusAsync(client, "/api/hello", "guest"));

            using JsonDocument hello = await JsonAsync(client, "/api/hello", "alice");
            Assert.Equal("hello from .NET", hello.RootElement.GetProperty("message").GetString());
            using JsonDocument notes = await JsonAsync(client, "/notes/", "alice");
            Assert.Equal("notes", notes.RootElement.GetProperty("app").GetString());
            Assert.Equal("alice", notes.RootElement.GetProperty("remote_user").GetString());
            Assert.Equal("/notes", notes.RootElement.GetProperty("script_name").GetString());
            using JsonDocument note = await JsonAsync(client, "/notes/abc", "alice");
            Assert.Equal("abc", note.RootElement.GetProperty("note").GetString());
            int[] workers = Children(process.Id);
            Assert.Equal(daemon == null ? 0 : 2, workers.Length);

            Assert.Equal(0, Kill(process.Id, 15));
            using var exit = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            await process.WaitForExitAsync(exit.Token);
            Assert.Equal(0, process.ExitCode);
            string log = Output();
            Assert.DoesNotContain("fail:", log, StringComparison.Ordinal);
            if (daemon == null)
            {
                Assert.Contains("Initializing Python 3.11", log, StringComparison.Ordinal);
                Assert.Contains("Python finalised.", log, StringComparison.Ordinal);
            }
            else
            {
                // Python runs only in the workers, which stop with the host.
                Assert.DoesNotContain("Initializing Python", log, StringComparison.Ordinal);
                Assert.Contains("Daemon process group 'notes': started 2 worker process(es)", log, StringComparison.Ordinal);
                Assert.All(workers, pid => Assert.False(Directory.Exists($"/proc/{pid}") && File.ReadAllText($"/proc/{pid}/stat").Split(' ')[2] != "Z", $"worker {pid} outlived the host"));
            }
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }
    }

    /// <summary>The direct child processes of <paramref name="pid"/> (daemon workers).</summary>
    private static int[] Children(int pid) =>
        [.. Directory.EnumerateDirectories($"/proc/{pid}/task")
            .SelectMany(task => File.ReadAllText(Path.Combine(task, "children")).Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Select(p => int.Parse(p, System.Globalization.CultureInfo.InvariantCulture))];

    private static async Task<HttpStatusCode> StatusAsync(HttpClient client, string url, string? user)
    {
        using var response = await client.SendAsync(Request(url, user));
        return response.StatusCode;
    }

    private static async Task<JsonDocument> JsonAsync(HttpClient client, string url, string user)
    {
        using var response = await client.SendAsync(Request(url, user));
        string body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{url}: {(int)response.StatusCode} {body}");
        return JsonDocument.Parse(body);
    }

    private static HttpRequestMessage Request(string url, string? user)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, url);
        if (user != null)
        {
            request.Headers.Add("X-User", user);
        }
        return request;
    }

    private static async Task WaitUntilAsync(Func<bool> condition, Func<string> output)
    {
        var watch = Stopwatch.StartNew();
        while (!condition())
        {
            if (watch.Elapsed > TimeSpan.FromSeconds(60))
            {
                throw new Xunit.Sdk.XunitException("the example did not start:\n" + output());
            }
            await Task.Delay(50);
        }
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "kill")]
    private static extern int Kill(int pid, int signal);
}
