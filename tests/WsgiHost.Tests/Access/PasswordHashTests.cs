using WsgiHost.Access;

namespace WsgiHost.Tests.Access;

/// <summary>
/// htpasswd's hashes, made by Apache's own htpasswd (tests/apps/auth/users.htpasswd: -m, -B, -s, -d) and
/// openssl passwd -6: each accepts its password and nothing else.
/// </summary>
public sealed class PasswordHashTests
{
    private static readonly string UserFile = Path.Combine(RepoPaths.Root, "tests", "apps", "auth", "users.htpasswd");

    [Theory]
    [InlineData("alice", "wonderland")] // $apr1$ (htpasswd's default)
    [InlineData("bob", "builder")] // $2y$ bcrypt
    [InlineData("carol", "singer")] // {SHA}
    [InlineData("dave", "diver")] // $6$ SHA-512-crypt
    [InlineData("erin", "e-pass")] // DES crypt
    public void EachHashAcceptsItsPasswordOnly(string user, string password)
    {
        string hash = PasswordFile.HashOf(UserFile, user)!;

        Assert.True(PasswordHash.Verify(password, hash));
        Assert.False(PasswordHash.Verify(password + "x", hash));
        Assert.False(PasswordHash.Verify("", hash));
        Assert.False(PasswordHash.Verify(password.ToUpperInvariant(), hash));
    }

    [Fact]
    public void Apr1IsApachesMd5CryptByteForByte()
    {
        string stored = PasswordFile.HashOf(UserFile, "alice")!;

        Assert.Equal(stored, Apr1Md5.Hash("wonderland"u8.ToArray(), stored));
        // A password longer than 16 bytes takes the digest's repeat loop more than once.
        Assert.Equal(Apr1Md5.Hash("a fairly long password, 33 bytes"u8.ToArray(), "$apr1$abcdefgh$"), Apr1Md5.Hash("a fairly long password, 33 bytes"u8.ToArray(), "$apr1$abcdefgh$whatever"));
    }

    [Fact]
    public void AnUnknownHashOrAPlainTextPasswordNeverMatches()
    {
        // Apache on Unix reads a stored password without a known prefix as crypt(3) input, never as plain text.
        Assert.False(PasswordHash.Verify("secret", "secret"));
        Assert.False(PasswordHash.Verify("secret", "$9$nonsense"));
        Assert.False(PasswordHash.Verify("secret", ""));
    }

    [Fact]
    public void TheUserFileSkipsCommentsAndBlankLinesAndKeepsAUsersFirstLine()
    {
        using var folder = new WsgiHost.Tests.Configuration.Syntax.TempConfigFolder();
        string file = folder.Write("users", "# staff\n\n  alice:$apr1$x$first  \nalice:$apr1$x$second\nnocolon\n");

        Assert.Equal("$apr1$x$first", PasswordFile.HashOf(file, "alice"));
        Assert.Null(PasswordFile.HashOf(file, "nocolon"));
        Assert.Null(PasswordFile.HashOf(file, "# staff"));
    }

    [Fact]
    public void AChangedFileIsReadAgain()
    {
        using var folder = new WsgiHost.Tests.Configuration.Syntax.TempConfigFolder();
        string file = folder.Write("users", "alice:one\n");
        Assert.Equal("one", PasswordFile.HashOf(file, "alice"));

        File.WriteAllText(file, "alice:two-longer\n");

        Assert.Equal("two-longer", PasswordFile.HashOf(file, "alice"));
    }

    [Fact]
    public void GroupsMayBeListedOnSeveralLines()
    {
        string groups = Path.Combine(RepoPaths.Root, "tests", "apps", "auth", "groups");

        Assert.Equal(["admins", "staff"], GroupFile.GroupsOf(groups, "alice")!.Order());
        Assert.Equal(["staff"], GroupFile.GroupsOf(groups, "carol")!);
        Assert.Empty(GroupFile.GroupsOf(groups, "dave")!);
        Assert.Null(GroupFile.GroupsOf(groups + ".missing", "alice"));
    }

    [Fact]
    public void ARememberedPasswordStillHasToBeTheRightOneAndAChangedHashIsCheckedAgain()
    {
        string bcrypt = PasswordFile.HashOf(UserFile, "bob")!;

        Assert.True(VerifiedPasswords.Verify("bob", "builder", bcrypt));
        Assert.True(VerifiedPasswords.Verify("bob", "builder", bcrypt));
        Assert.False(VerifiedPasswords.Verify("bob", "not-builder", bcrypt));
        // htpasswd gave bob a new password: the old one no longer opens.
        Assert.False(VerifiedPasswords.Verify("bob", "builder", PasswordFile.HashOf(UserFile, "alice")!));
    }
}
