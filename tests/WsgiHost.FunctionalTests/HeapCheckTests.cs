using System.Net;
using System.Text.Json;
using WsgiHost.FunctionalTests.Infrastructure;

namespace WsgiHost.FunctionalTests;

/// <summary>
/// The server under glibc's malloc checking (libc_malloc_debug preloaded, as a user preloads
/// jemalloc or tcmalloc): every native allocation the server, the runtime and Python make goes
/// through an allocator that is not glibc's own, and each free is checked. Memory freed by
/// another allocator than the one that gave it, or freed twice, ends the process with SIGSEGV
/// or SIGABRT, at the latest when a thread exits or the process stops; a server that serves
/// and stops cleanly here keeps every allocation with its allocator.
/// </summary>
public sealed class HeapCheckTests
{
    private static readonly Dictionary<string, string> s_mallocCheck = new()
    {
        ["LD_PRELOAD"] = MallocCheckTheoryAttribute.Library,
        ["GLIBC_TUNABLES"] = "glibc.malloc.check=3",
        // Freed memory is filled, so a read of it after the free sees garbage, not the old value.
        ["MALLOC_PERTURB_"] = "165",
    };

    [MallocCheckTheory]
    [InlineData("--embedded")]
    [InlineData("--server-processes", "2")]
    [InlineData("--processes", "1")]
    public async Task AServerWhoseMallocIsCheckedServesAndStopsCleanly(params string[] mode)
    {
        await using var host = await WsgiHostProcess.StartServeAsync(WsgiHostProcess.App("gateway.wsgi"), s_mallocCheck, ["--threads", "2", .. mode]);
        // Every WSGI thread runs requests (each thread's allocations are checked as it exits):
        // more at once than there are threads.
        var uploads = Enumerable.Range(0, 4).Select(async i =>
        {
            byte[] body = new byte[200_000 + i];
            Random.Shared.NextBytes(body);
            using var response = await host.Client.PostAsync("/echo", new ByteArrayContent(body));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            Assert.Equal(body.Length, json.RootElement.GetProperty("length").GetInt32());
            Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(body)), json.RootElement.GetProperty("sha256").GetString());
        });
        await Task.WhenAll(uploads);
        byte[] file = await host.Client.GetByteArrayAsync("/file-wrapper?size=100000");
        Assert.Equal(100_000, file.Length);
        Assert.Equal(Enumerable.Range(0, 100_000).Select(i => (byte)i), file);
        using (var environ = await host.Client.GetAsync("/environ"))
        {
            Assert.Equal(HttpStatusCode.OK, environ.StatusCode);
        }

        int exit = await host.StopAsync();
        Assert.True(exit == 0, $"exit code {exit}; error log:\n{host.ErrorLog}\n{host.Output}");
        Assert.DoesNotContain("by signal", host.ErrorLog, StringComparison.Ordinal);
    }
}
