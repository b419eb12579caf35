using System.Text.Json;
using WsgiHost.FunctionalTests.Infrastructure;

namespace WsgiHost.FunctionalTests;

/// <summary>
/// The core cases against every pyenv shared build present (3.9 to 3.13): load the
/// library, serve, read the body, import an extension module, format a traceback. A version
/// not installed is reported as skipped with the reason.
/// </summary>
public sealed class PythonVersionTests
{
    [Theory]
    [PythonVersionData("3.9")]
    [PythonVersionData("3.10")]
    [PythonVersionData("3.11")]
    [PythonVersionData("3.12")]
    [PythonVersionData("3.13")]
    public async Task ServesWithThatPython(string minor, string python)
    {
        await using var host = await WsgiHostProcess.StartAsync(WsgiHostProcess.App("versions.wsgi"), "--python", python);
        using var response = await host.Client.PostAsync("/", new StringContent("echo me"));
        var info = JsonSerializer.Deserialize<JsonElement>(await response.Content.ReadAsStringAsync());
        Assert.StartsWith(minor + ".", info.GetProperty("version").GetString());
        Assert.Equal(python, info.GetProperty("executable").GetString());
        Assert.Equal("echo me", info.GetProperty("echo").GetString());
        Assert.Equal(WsgiHostProcess.TestAppsDirectory, info.GetProperty("path0").GetString());
        Assert.Contains($"python: Python {minor}.", host.Output);
    }

    [Theory]
    [PythonVersionData("3.9")]
    [PythonVersionData("3.10")]
    [PythonVersionData("3.11")]
    [PythonVersionData("3.12")]
    [PythonVersionData("3.13")]
    public async Task RunsApplicationGroupsInSubInterpretersAndEndsThemWithThatPython(string minor, string python)
    {
        int port = WsgiHostProcess.FreePort();
        await using var host = await WsgiHostProcess.RunAsync(Path.Combine(WsgiHostProcess.TestAppsDirectory, "configs", "groups.conf"), port,
            new Dictionary<string, string> { ["PORT"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture) }, "--python", python);
        string marker = Path.Combine(Path.GetTempPath(), $"wsgihost-preload-{host.Pid}.marker");
        try
        {
            var a = JsonSerializer.Deserialize<JsonElement>(await host.Client.GetStringAsync("/a/"));
            var b = JsonSerializer.Deserialize<JsonElement>(await host.Client.GetStringAsync("/b/"));
            var a2 = JsonSerializer.Deserialize<JsonElement>(await host.Client.GetStringAsync("/a2/"));
            Assert.NotEqual(a.GetProperty("interpreter").GetInt64(), b.GetProperty("interpreter").GetInt64());
            Assert.Equal(2, a2.GetProperty("hits").GetInt32());
            Assert.Contains($"python: Python {minor}.", host.Output);
            Assert.Equal(0, await host.StopAsync());
            Assert.DoesNotContain("Fatal Python error", host.ErrorLog);
        }
        finally
        {
            File.Delete(marker);
        }
    }

    [Theory]
    [PythonVersionData("3.9")]
    [PythonVersionData("3.10")]
    [PythonVersionData("3.11")]
    [PythonVersionData("3.12")]
    [PythonVersionData("3.13")]
    public async Task FormatsTracebacksWithThatPython(string minor, string python)
    {
        await using var host = await WsgiHostProcess.StartAsync(WsgiHostProcess.App("traceback_app.wsgi"), "--python", python);
        using var response = await host.Client.GetAsync("/");
        Assert.Equal(500, (int)response.StatusCode);
        string log = await host.WaitForLogAsync("KeyError: 'missing-key'");
        Assert.Contains("Traceback (most recent call last):", log);
        Assert.Contains("traceback_app.wsgi\", line 2, in application", log);
        Assert.Equal(0, await host.StopAsync());
        Assert.NotNull(minor);
    }

    [Fact]
    public async Task PythonHomeSelectsThePrefix()
    {
        await using var host = await WsgiHostProcess.StartAsync(WsgiHostProcess.App("versions.wsgi"), "--python-home", "/usr");
        var info = JsonSerializer.Deserialize<JsonElement>(await host.Client.GetStringAsync("/"));
        Assert.Equal("/usr", info.GetProperty("prefix").GetString());
        Assert.Equal("/usr/bin/python3", info.GetProperty("executable").GetString());
    }

    [Fact]
    public async Task AVirtualenvAsPythonHomeGetsItsOwnSitePackages()
    {
        string venv = Directory.CreateTempSubdirectory("wsgihost-venv-").FullName;
        try
        {
            var make = System.Diagnostics.Process.Start(Pythons.Debian, ["-m", "venv", "--without-pip", venv])!;
            await make.WaitForExitAsync();
            Assert.Equal(0, make.ExitCode);
            string sitePackages = Directory.GetDirectories(Path.Combine(venv, "lib"))[0] + "/site-packages";
            File.WriteAllText(Path.Combine(sitePackages, "venv_marker.py"), "WHERE = 'inside the virtualenv'\n");
            string script = Path.Combine(venv, "app.wsgi");
            File.WriteAllText(script, """
                import sys, venv_marker
                def application(environ, start_response):
                    body = ('%s|%s|%s|%s' % (sys.prefix, sys.executable, venv_marker.WHERE,
                            any('dist-packages' in p for p in sys.path))).encode()
                    start_response('200 OK', [('Content-Type', 'text/plain')])
                    return [body]
                """);
            await using var host = await WsgiHostProcess.StartAsync(script, "--python-home", venv);
            string[] parts = (await host.Client.GetStringAsync("/")).Split('|');
            Assert.Equal(venv, parts[0]);
            Assert.StartsWith(venv + "/bin/python", parts[1]);
            Assert.Equal("inside the virtualenv", parts[2]);
            Assert.Equal("False", parts[3]); // system dist-packages stay out, as in the venv itself
        }
        finally
        {
            Directory.Delete(venv, recursive: true);
        }
    }
}
