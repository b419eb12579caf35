using System.Security.Cryptography;
using System.Text;

namespace WsgiHost.Access;

/// <summary>
/// Apache's MD5 password hash (<c>$apr1$salt$hash</c>, what htpasswd writes by default): Poul-Henning
/// Kamp's MD5-crypt with the magic "$apr1$", 1000 rounds, and crypt's base-64 alphabet.
/// </summary>
internal static class Apr1Md5
{
    public const string Magic = "$apr1$";

    private const string Alphabet = "./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

    /// <summary>The hash of <paramref name="password"/> with the salt of <paramref name="setting"/> (a whole stored hash will do).</summary>
    public static string Hash(byte[] password, string setting)
    {
        string rest = setting[Magic.Length..];
        int end = rest.IndexOf('$');
        string saltText = (end < 0 ? rest : rest[..end]);
        saltText = saltText[..Math.Min(8, saltText.Length)];
        byte[] salt = Encoding.Latin1.GetBytes(saltText);
        byte[] magic = Encoding.ASCII.GetBytes(Magic);

        byte[] alternate = MD5.HashData([.. password, .. salt, .. password]);
        using var md5 = IncrementalHash.CreateHash(HashAlgorithmName.MD5);
        md5.AppendData(password);
        md5.AppendData(magic);
        md5.AppendData(salt);
        for (int left = password.Length; left > 0; left -= 16)
        {
            md5.AppendData(alternate, 0, Math.Min(16, left));
        }

        for (int i = password.Length; i != 0; i >>= 1)
        {
            md5.AppendData((i & 1) != 0 ? [0] : password.AsSpan(0, 1));
        }

        byte[] final = md5.GetHashAndReset();
        for (int i = 0; i < 1000; i++)
        {
            md5.AppendData((i & 1) != 0 ? password : final);
            if (i % 3 != 0)
            {
                md5.AppendData(salt);
            }

            if (i % 7 != 0)
            {
                md5.AppendData(password);
            }

            md5.AppendData((i & 1) != 0 ? final : password);
            final = md5.GetHashAndReset();
        }

        var text = new StringBuilder(Magic).Append(saltText).Append('$');
        Encode(text, (final[0] << 16) | (final[6] << 8) | final[12], 4);
        Encode(text, (final[1] << 16) | (final[7] << 8) | final[13], 4);
        Encode(text, (final[2] << 16) | (final[8] << 8) | final[14], 4);
        Encode(text, (final[3] << 16) | (final[9] << 8) | final[15], 4);
        Encode(text, (final[4] << 16) | (final[10] << 8) | final[5], 4);
        Encode(text, final[11], 2);
        return text.ToString();
    }

    private static void Encode(StringBuilder text, int value, int characters)
    {
        for (int i = 0; i < characters; i++, value >>= 6)
        {
            text.Append(Alphabet[value & 0x3f]);
        }
    }
}
