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
        var context = new List<byte>(password.Length * 2 + 64);
        context.AddRange(password);
        context.AddRange(magic);
        context.AddRange(salt);
        for (int left = password.Length; left > 0; left -= 16)
        {
            context.AddRange(alternate.AsSpan(0, Math.Min(16, left)).ToArray());
        }

        for (int i = password.Length; i != 0; i >>= 1)
        {
            context.Add((i & 1) != 0 ? (byte)0 : password.Length > 0 ? password[0] : (byte)0);
        }

        byte[] final = MD5.HashData(context.ToArray());
        var round = new List<byte>(password.Length * 2 + salt.Length + 32);
        for (int i = 0; i < 1000; i++)
        {
            round.Clear();
            round.AddRange((i & 1) != 0 ? password : final);
            if (i % 3 != 0)
            {
                round.AddRange(salt);
            }

            if (i % 7 != 0)
            {
                round.AddRange(password);
            }

            round.AddRange((i & 1) != 0 ? final : password);
            final = MD5.HashData(round.ToArray());
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
