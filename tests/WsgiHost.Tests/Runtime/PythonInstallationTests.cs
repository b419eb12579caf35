using WsgiHost.Python.Runtime;

namespace WsgiHost.Tests.Runtime;

public sealed class PythonInstallationTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("wsgihost-lib-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Touch(string relative)
    {
        string path = Path.Combine(_dir, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, "");
        return path;
    }

    [Fact]
    public void InstSoNameIsPreferredOverTheDevSymlinkName()
    {
        Touch("libpython3.11.so");
        string real = Touch("libpython3.11.so.1.0");
        Assert.Equal(real, PythonInstallation.FindLibrary(_dir, "libpython3.11.so.1.0", "libpython3.11.so", "", "3.11"));
    }

    [Fact]
    public void TheMultiarchFolderIsSearchedToo()
    {
        string real = Touch("x86_64-linux-gnu/libpython3.12.so.1.0");
        Assert.Equal(real, PythonInstallation.FindLibrary(_dir, "libpython3.12.so.1.0", "libpython3.12.a", "x86_64-linux-gnu", "3.12"));
    }

    [Fact]
    public void AStaticOnlyPythonHasNoLibrary() =>
        Assert.Null(PythonInstallation.FindLibrary(_dir, "", "libpython3.11.a", "", "3.11"));

    [Fact]
    public void AFolderOrAFileThatIsNoProgramIsRefusedWithWhatToGiveInstead()
    {
        var folder = Assert.Throws<PythonNotFoundException>(() => PythonInstallation.Locate(_dir, null));
        Assert.StartsWith($"'{_dir}' is a folder, not a Python executable", folder.Message);
        Assert.Contains("--python-home", folder.Message);
        string text = Touch("notes.txt");
        var notProgram = Assert.Throws<PythonNotFoundException>(() => PythonInstallation.Locate(text, null));
        Assert.Contains("is it a Python executable?", notProgram.Message);
    }

    [Fact]
    public void APythonHomeWithoutAnInterpreterIsRefusedWithTheReason()
    {
        var e = Assert.Throws<PythonNotFoundException>(() => PythonInstallation.Locate(null, _dir));
        Assert.Contains("not a Python prefix or virtualenv", e.Message);
    }

    /// <summary>Each wrong home says what is wrong with it: missing, a file, a virtualenv whose Python is gone.</summary>
    [Fact]
    public void AWrongPythonHomeSaysWhatIsWrongWithIt()
    {
        string missing = Path.Combine(_dir, "nowhere");
        Assert.Contains($"python-home '{missing}' does not exist", Assert.Throws<PythonNotFoundException>(() => PythonInstallation.Locate(null, missing)).Message);
        string file = Touch("python3.11");
        Assert.Contains("is a file, not a folder: give an executable with --python instead", Assert.Throws<PythonNotFoundException>(() => PythonInstallation.Locate(null, file)).Message);

        string venv = Path.Combine(_dir, "venv");
        Directory.CreateDirectory(Path.Combine(venv, "bin"));
        File.WriteAllText(Path.Combine(venv, "pyvenv.cfg"), "home = /opt/python-removed/bin\ninclude-system-site-packages = false\n");
        File.CreateSymbolicLink(Path.Combine(venv, "bin", "python3"), "/opt/python-removed/bin/python3");
        string gone = Assert.Throws<PythonNotFoundException>(() => PythonInstallation.Locate(null, venv)).Message;
        Assert.Contains("is a virtualenv whose Python is gone", gone);
        Assert.Contains("(pyvenv.cfg names home = /opt/python-removed/bin)", gone);
        Assert.Contains($"python3 -m venv --clear {venv}", gone);
    }
}
