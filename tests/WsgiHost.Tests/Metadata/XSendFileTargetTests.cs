using WsgiHost.Metadata;

namespace WsgiHost.Tests.Metadata;

/// <summary>How an X-Sendfile value becomes a file name, and which allowed folder may hold it (mod_xsendfile's rules).</summary>
public sealed class XSendFileTargetTests
{
    [Theory]
    [InlineData("/srv/files/report.pdf", true, "/srv/files/report.pdf")]
    [InlineData("/srv/files/annual%20report.pdf", true, "/srv/files/annual report.pdf")]
    [InlineData("/srv/files/caf%C3%A9.txt", true, "/srv/files/café.txt")]
    [InlineData("/srv/files/100%25.txt", true, "/srv/files/100%.txt")]
    [InlineData("/srv/files/100%25.txt", false, "/srv/files/100%25.txt")]
    [InlineData("/srv/files/bad%zz", false, "/srv/files/bad%zz")]
    public void TheValueIsUrlDecodedUnlessUnescapeIsOff(string value, bool unescape, string name) =>
        Assert.Equal(name, XSendFileTarget.Decode(value, unescape));

    [Theory]
    [InlineData("/srv/files/a%2Fb")]     // an encoded slash (Apache's ap_unescape_url refuses it)
    [InlineData("/srv/files/a%2fb")]
    [InlineData("/srv/files/a%00b")]     // an encoded NUL
    [InlineData("/srv/files/a%zzb")]     // not an escape
    [InlineData("/srv/files/a%2")]       // cut short
    [InlineData("/srv/files/%C3")]       // not UTF-8 once decoded
    public void ANameThatCannotBeDecodedIsRefused(string value) =>
        Assert.Null(XSendFileTarget.Decode(value, unescape: true));

    [Fact]
    public void ANulInThePlainValueIsRefused() =>
        Assert.Null(XSendFileTarget.Decode("/srv/files/a\0b", unescape: false));

    [Theory]
    [InlineData("/srv/files/report.pdf", "/srv/files/report.pdf")]
    [InlineData("report.pdf", "/srv/app/report.pdf")]                          // relative: the first root, existing or not
    [InlineData("media/../report.pdf", "/srv/app/report.pdf")]
    [InlineData("/srv/files/sub/../report.pdf", "/srv/files/report.pdf")]
    [InlineData("/srv/app/../files/report.pdf", "/srv/files/report.pdf")]    // lands in another allowed root
    public void ANameIsTakenInTheFirstRootThatHoldsIt(string name, string path) =>
        Assert.Equal(path, XSendFileTarget.Resolve(name, ["/srv/app", "/srv/files/"]));

    [Theory]
    [InlineData("/etc/passwd")]
    [InlineData("../../etc/passwd")]
    [InlineData("/srv/files/../secrets.txt")]
    [InlineData("/srv/filesystem/x")]        // a sibling that shares the root's name as a prefix
    [InlineData("/srv/files")]               // the root itself is no file
    [InlineData("")]
    public void ANameOutsideEveryRootIsRefused(string name) =>
        Assert.Null(XSendFileTarget.Resolve(name, ["/srv/app", "/srv/files"]));

    [Theory]
    [InlineData(200, "X-Sendfile", "/srv/files/a.pdf", true)]
    [InlineData(200, "x-sendfile-temporary", "/var/spool/a.csv", true)]
    [InlineData(200, "X-Sendfile", "", false)]           // an empty header names nothing
    [InlineData(404, "X-Sendfile", "/srv/files/a.pdf", false)] // only a 200 is replaced
    [InlineData(200, "X-Accel-Redirect", "/protected/a.pdf", false)]
    public void OnlyA200ThatNamesAFileIsReplaced(int status, string header, string value, bool replaced) =>
        Assert.Equal(replaced ? (value, header.EndsWith("temporary", StringComparison.OrdinalIgnoreCase)) : null,
            XSendFileTarget.Named(status, [new("Content-Type", "application/pdf"), new(header, value)]));

    [Fact]
    public void XSendfileWinsOverTheTemporaryHeader() =>
        Assert.Equal(("/srv/files/a.pdf", false),
            XSendFileTarget.Named(200, [new("X-Sendfile-Temporary", "/var/spool/a.csv"), new("X-Sendfile", "/srv/files/a.pdf")]));

    [Fact]
    public void NoRootsAllowNothing() =>
        Assert.Null(XSendFileTarget.Resolve("/srv/files/report.pdf", []));
}
