using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;

namespace WsgiHost.Access;

/// <summary>
/// Passwords that matched a stored hash, remembered as a keyed digest so the next request with the same
/// credentials is not hashed again. A browser sends its credentials with every request, and bcrypt (htpasswd
/// -B) costs milliseconds each time, on a thread that serves other connections too; Apache offers the same
/// with mod_authn_socache. The stored hash is part of the key, so an <c>htpasswd</c> change takes effect at
/// once; the digest's key is random per process, so the table reveals no password.
/// </summary>
internal static class VerifiedPasswords
{
    /// <summary>Far more users than a Basic-authenticated site has; past it the table starts again.</summary>
    private const int Capacity = 10_000;

    private static readonly byte[] Key = RandomNumberGenerator.GetBytes(32);

    private static readonly ConcurrentDictionary<(string User, string Hash), byte[]> Known = new();

    /// <summary>Whether <paramref name="password"/> matches <paramref name="hash"/>, from the table when this pair matched before.</summary>
    public static bool Verify(string user, string password, string hash)
    {
        byte[] digest = HMACSHA256.HashData(Key, Encoding.Latin1.GetBytes(password));
        if (Known.TryGetValue((user, hash), out byte[]? known) && CryptographicOperations.FixedTimeEquals(known, digest))
        {
            return true;
        }

        if (!PasswordHash.Verify(password, hash))
        {
            return false;
        }

        if (Known.Count >= Capacity)
        {
            Known.Clear();
        }

        Known[(user, hash)] = digest;
        return true;
    }
}
