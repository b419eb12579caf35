using System.IO.Compression;
using Microsoft.Win32.SafeHandles;
using WsgiHost.Compression;
using WsgiHost.Configuration.Model;

namespace WsgiHost.Tests.Compression;

/// <summary>Static files compressed once per version: hits, versions, the byte budget, a file that shrank.</summary>
public sealed class CompressedFileCacheTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("wsgihost-cache-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string File(string name, string text)
    {
        string path = Path.Combine(_dir, name);
        System.IO.File.WriteAllText(path, text);
        return path;
    }

    private static string Gunzip(byte[] data)
    {
        using var gzip = new GZipStream(new MemoryStream(data), CompressionMode.Decompress);
        using var reader = new StreamReader(gzip);
        return reader.ReadToEnd();
    }

    private static byte[] Get(CompressedFileCache cache, string path, string etag, long? length = null)
    {
        using SafeFileHandle handle = System.IO.File.OpenHandle(path);
        return cache.GetOrAdd(path, etag, handle, length ?? RandomAccess.GetLength(handle), ContentCodings.Gzip, 6);
    }

    [Fact]
    public void ASecondRequestGetsTheBytesEncodedForTheFirst()
    {
        var cache = new CompressedFileCache(1024 * 1024);
        string text = string.Concat(Enumerable.Repeat("body { margin: 0; }\n", 200));
        string path = File("site.css", text);

        byte[] first = Get(cache, path, "\"v1\"");
        Assert.Same(first, Get(cache, path, "\"v1\""));
        Assert.Equal(text, Gunzip(first));
        Assert.Equal(first.Length, cache.Bytes);
    }

    [Fact]
    public void ANewVersionOfTheFileIsEncodedAgain()
    {
        var cache = new CompressedFileCache(1024 * 1024);
        string path = File("app.js", "var a = 1;\n");
        byte[] old = Get(cache, path, "\"v1\"");
        System.IO.File.WriteAllText(path, "var a = 2;\n");

        byte[] current = Get(cache, path, "\"v2\"");
        Assert.NotSame(old, current);
        Assert.Equal("var a = 2;\n", Gunzip(current));
    }

    [Fact]
    public void TheLeastRecentlyUsedGoesFirstWhenTheBudgetIsFull()
    {
        string a = File("a.css", "a"), b = File("b.css", "b"), c = File("c.css", "c");
        byte[] one = Get(new CompressedFileCache(1 << 20), a, "x");
        var cache = new CompressedFileCache(one.Length * 2); // room for two entries of this size
        byte[] keptA = Get(cache, a, "x");
        Get(cache, b, "x");
        Assert.Same(keptA, Get(cache, a, "x")); // a used last: b is the oldest now
        Get(cache, c, "x");

        Assert.Same(keptA, Get(cache, a, "x"));
        Assert.True(cache.Bytes <= one.Length * 2);
        byte[] firstB = Get(cache, b, "x"); // b was dropped: encoded again (and c goes)
        Assert.NotSame(firstB, Get(new CompressedFileCache(1 << 20), b, "x"));
        Assert.Equal("b", Gunzip(firstB));
    }

    [Fact]
    public void AFileThatShrankIsSentAsItIsAndNotKept()
    {
        var cache = new CompressedFileCache(1024 * 1024);
        string path = File("short.css", "short");
        byte[] sent = Get(cache, path, "\"v1\"", length: 500); // the size taken before it shrank

        Assert.Equal("short", Gunzip(sent));
        Assert.Equal(0, cache.Bytes);
        Assert.NotSame(sent, Get(cache, path, "\"v1\"", length: 500));
    }
}
