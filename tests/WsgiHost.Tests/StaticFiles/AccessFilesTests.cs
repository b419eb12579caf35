using WsgiHost.StaticFiles;

namespace WsgiHost.Tests.StaticFiles;

public sealed class AccessFilesTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("wsgihost-htaccess-").FullName;

    public AccessFilesTests()
    {
        Directory.CreateDirectory(Path.Combine(_root, "a", "b"));
        File.WriteAllText(Path.Combine(_root, "a", "b", "file.txt"), "x");
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public void TheFirstAccessFileOnTheWayDownIsFound()
    {
        string file = Path.Combine(_root, "a", "b", "file.txt");
        Assert.Null(AccessFiles.Find(_root, file));
        File.WriteAllText(Path.Combine(_root, "a", "b", ".htaccess"), "");
        Assert.Equal(Path.Combine(_root, "a", "b", ".htaccess"), AccessFiles.Find(_root, file));
        File.WriteAllText(Path.Combine(_root, ".htaccess"), "");
        Assert.Equal(Path.Combine(_root, ".htaccess"), AccessFiles.Find(_root, file));
        // A folder asked for itself counts its own.
        Assert.Equal(Path.Combine(_root, ".htaccess"), AccessFiles.Find(_root, Path.Combine(_root, "a")));
    }

    [Fact]
    public void APathOutsideTheRootFindsNone()
    {
        File.WriteAllText(Path.Combine(_root, "a", ".htaccess"), "");
        Assert.Null(AccessFiles.Find(Path.Combine(_root, "a", "b"), "/etc/passwd"));
    }

    [Fact]
    public void CheckFindsEveryOneUnderAFolder()
    {
        File.WriteAllText(Path.Combine(_root, "a", ".htaccess"), "");
        File.WriteAllText(Path.Combine(_root, "a", "b", ".htaccess"), "");
        Assert.Equal([Path.Combine(_root, "a", ".htaccess"), Path.Combine(_root, "a", "b", ".htaccess")], AccessFiles.Under(_root).Order(StringComparer.Ordinal));
    }
}
