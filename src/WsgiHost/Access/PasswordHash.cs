using System.Security.Cryptography;
using System.Text;

namespace WsgiHost.Access;

/// <summary>
/// Checks a password against an htpasswd hash the way APR's <c>apr_password_validate</c> does: Apache's
/// own MD5 (<c>$apr1$</c>, htpasswd's default) and SHA-1 (<c>{SHA}</c>) here; bcrypt (<c>$2y$</c>, htpasswd
/// -B), SHA-256/512-crypt (<c>$5$</c>, <c>$6$</c>) and DES crypt by the system's crypt(3).
/// </summary>
internal static class PasswordHash
{
    public static bool Verify(string password, string hash)
    {
        byte[] secret = Encoding.Latin1.GetBytes(password);
        string? computed = hash.StartsWith(Apr1Md5.Magic, StringComparison.Ordinal) ? Apr1Md5.Hash(secret, hash)
            : hash.StartsWith("{SHA}", StringComparison.Ordinal) ? "{SHA}" + Convert.ToBase64String(SHA1.HashData(secret))
            : LibCrypt.Crypt(secret, hash);
        return computed is not null
            && CryptographicOperations.FixedTimeEquals(Encoding.Latin1.GetBytes(computed), Encoding.Latin1.GetBytes(hash));
    }
}
