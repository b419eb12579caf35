using WsgiHost.Routing;

namespace WsgiHost.Tests.Routing;

/// <summary>A decoded URL path (bytes as latin-1 characters) as the name of a file.</summary>
public sealed class FileNamesTests
{
    [Theory]
    [InlineData("/static/site.css", "/static/site.css")]
    [InlineData("/static/caf\u00c3\u00a9.jpg", "/static/café.jpg")]   // the bytes of UTF-8 é
    [InlineData("/\u00e2\u0082\u00ac", "/€")]
    [InlineData("/already/€", "/already/€")]                          // not a byte string: as it is
    public void TheBytesOfAUtf8NameBecomeThatName(string url, string file) => Assert.Equal(file, FileNames.FromUrl(url));

    [Fact]
    public void BytesThatAreNotUtf8NameNoFile()
    {
        // %E9 (latin-1 é) must not become the file whose UTF-8 name is c3 a9.
        string name = FileNames.FromUrl("/static/caf\u00e9.jpg");
        Assert.Contains(FileNames.NoFile, name);
        Assert.False(File.Exists(name));
    }
}
