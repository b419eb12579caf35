using System.Text;
using WsgiHost.Python.Wsgi;

namespace WsgiHost.Tests.Wsgi;

public sealed class Md5Tests
{
    /// <summary>The test suite of RFC 1321, appendix A.5.</summary>
    [Theory]
    [InlineData("", "d41d8cd98f00b204e9800998ecf8427e")]
    [InlineData("a", "0cc175b9c0f1b6a831c399e269772661")]
    [InlineData("abc", "900150983cd24fb0d6963f7d28e17f72")]
    [InlineData("message digest", "f96b697d7cb7938d525a2f31aaf161d0")]
    [InlineData("abcdefghijklmnopqrstuvwxyz", "c3fcd3d76192e4007dfb496cca67e13b")]
    [InlineData("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789", "d174ab98d277d9f5a5611c2c9f419d9f")]
    [InlineData("12345678901234567890123456789012345678901234567890123456789012345678901234567890", "57edf4a22be3c955ac49da2e2107b67a")]
    public void TheRfcTestSuiteGivesItsDigests(string text, string digest) => Assert.Equal(digest, Md5.Hex(text));

    /// <summary>Every length around the padding boundaries (55, 56, 63, 64 bytes and their multiples) matches the platform's MD5.</summary>
    [Fact]
    public void EveryLengthUpToThreeBlocksMatchesThePlatformMd5()
    {
        var random = new Random(1321);
        for (int length = 0; length <= 200; length++)
        {
            byte[] data = new byte[length];
            random.NextBytes(data);
            Assert.Equal(Convert.ToHexString(System.Security.Cryptography.MD5.HashData(data)), Convert.ToHexString(Md5.Hash(data)));
        }
    }

    [Fact]
    public void AScriptModuleIsNamedAsModWsgiNamesIt() =>
        Assert.Equal("_mod_wsgi_" + Convert.ToHexStringLower(System.Security.Cryptography.MD5.HashData(Encoding.UTF8.GetBytes("/srv/é/app.wsgi"))), WsgiScript.ModuleNameFor("/srv/é/app.wsgi"));
}
