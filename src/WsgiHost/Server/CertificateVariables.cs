using System.Globalization;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using WsgiHost.Python.Wsgi;

namespace WsgiHost.Server;

/// <summary>
/// mod_ssl's variables for one certificate (SSL_SERVER_* or SSL_CLIENT_*), in its spelling:
/// DNs as RFC 2253 strings (mod_ssl 2.4 without +LegacyDNStringFormat), dates as OpenSSL prints
/// them ("Jan  5 12:00:00 2027 GMT"), the serial in upper-case hex, algorithm names as OpenSSL's.
/// </summary>
internal static class CertificateVariables
{
    /// <summary>
    /// DN attributes by OID: OpenSSL's short name (in DN strings), and mod_ssl's suffix for the
    /// component variable (SSL_CLIENT_S_DN_CN...), null where mod_ssl has none.
    /// </summary>
    private static readonly Dictionary<string, (string Name, string? Suffix)> NameAttributes = new(StringComparer.Ordinal)
    {
        ["2.5.4.6"] = ("C", "C"),
        ["2.5.4.8"] = ("ST", "ST"),
        ["2.5.4.7"] = ("L", "L"),
        ["2.5.4.10"] = ("O", "O"),
        ["2.5.4.11"] = ("OU", "OU"),
        ["2.5.4.3"] = ("CN", "CN"),
        ["2.5.4.12"] = ("title", "T"),
        ["2.5.4.43"] = ("initials", "I"),
        ["2.5.4.42"] = ("GN", "G"),
        ["2.5.4.4"] = ("SN", "S"),
        ["2.5.4.46"] = ("dnQualifier", "D"),
        ["2.5.4.5"] = ("serialNumber", null),
        ["0.9.2342.19200300.100.1.1"] = ("UID", "UID"),
        ["0.9.2342.19200300.100.1.25"] = ("DC", null),
        ["1.2.840.113549.1.9.1"] = ("emailAddress", "Email"),
    };

    /// <summary>Signature and key algorithms by OID, as OpenSSL names them.</summary>
    private static readonly Dictionary<string, string> Algorithms = new(StringComparer.Ordinal)
    {
        ["1.2.840.113549.1.1.1"] = "rsaEncryption",
        ["1.2.840.113549.1.1.5"] = "sha1WithRSAEncryption",
        ["1.2.840.113549.1.1.10"] = "rsassaPss",
        ["1.2.840.113549.1.1.11"] = "sha256WithRSAEncryption",
        ["1.2.840.113549.1.1.12"] = "sha384WithRSAEncryption",
        ["1.2.840.113549.1.1.13"] = "sha512WithRSAEncryption",
        ["1.2.840.10045.2.1"] = "id-ecPublicKey",
        ["1.2.840.10045.4.3.2"] = "ecdsa-with-SHA256",
        ["1.2.840.10045.4.3.3"] = "ecdsa-with-SHA384",
        ["1.2.840.10045.4.3.4"] = "ecdsa-with-SHA512",
        ["1.3.101.112"] = "ED25519",
        ["1.3.101.113"] = "ED448",
    };

    /// <param name="prefix">SSL_SERVER or SSL_CLIENT.</param>
    /// <param name="pem">SSLOptions +ExportCertData: the certificate itself too, as PEM (SSL_SERVER_CERT, SSL_CLIENT_CERT).</param>
    public static void Write(string prefix, X509Certificate2 certificate, bool pem, IEnvironSink sink)
    {
        sink.Add(prefix + "_M_VERSION", certificate.Version.ToString(CultureInfo.InvariantCulture));
        sink.Add(prefix + "_M_SERIAL", certificate.SerialNumber);
        sink.Add(prefix + "_V_START", OpenSslTime(certificate.NotBefore.ToUniversalTime()));
        sink.Add(prefix + "_V_END", OpenSslTime(certificate.NotAfter.ToUniversalTime()));
        if (prefix == "SSL_CLIENT")
        {
            // Whole days left, as mod_ssl counts them (SSL_CLIENT_V_REMAIN is the client's alone).
            sink.Add(prefix + "_V_REMAIN", Math.Max(0, (int)(certificate.NotAfter.ToUniversalTime() - DateTime.UtcNow).TotalDays).ToString(CultureInfo.InvariantCulture));
        }
        WriteName(prefix + "_S_DN", certificate.SubjectName, sink);
        WriteName(prefix + "_I_DN", certificate.IssuerName, sink);
        WriteAlternativeNames(prefix, certificate, sink);
        sink.Add(prefix + "_A_SIG", Algorithm(certificate.SignatureAlgorithm.Value));
        sink.Add(prefix + "_A_KEY", Algorithm(certificate.GetKeyAlgorithm()));
        if (pem)
        {
            sink.Add(prefix + "_CERT", certificate.ExportCertificatePem() + "\n");
        }
    }

    /// <summary>
    /// subjectAltName's DNS names and e-mail addresses, numbered from 0 as mod_ssl numbers them
    /// (SSL_SERVER_SAN_DNS_0, SSL_CLIENT_SAN_Email_0).
    /// </summary>
    private static void WriteAlternativeNames(string prefix, X509Certificate2 certificate, IEnvironSink sink)
    {
        if (certificate.Extensions["2.5.29.17"] is not { } extension)
        {
            return;
        }
        int dns = 0, email = 0;
        try
        {
            var names = new System.Formats.Asn1.AsnReader(extension.RawData, System.Formats.Asn1.AsnEncodingRules.DER).ReadSequence();
            while (names.HasData)
            {
                System.Formats.Asn1.Asn1Tag tag = names.PeekTag();
                if (tag.TagClass == System.Formats.Asn1.TagClass.ContextSpecific && tag.TagValue is 1 or 2)
                {
                    // rfc822Name [1] and dNSName [2]: IA5String, implicitly tagged.
                    string value = names.ReadCharacterString(System.Formats.Asn1.UniversalTagNumber.IA5String, tag);
                    sink.Add(tag.TagValue == 1 ? $"{prefix}_SAN_Email_{email++}" : $"{prefix}_SAN_DNS_{dns++}", value);
                }
                else
                {
                    names.ReadEncodedValue();
                }
            }
        }
        catch (System.Formats.Asn1.AsnContentException)
        {
            // A malformed extension: no names from it, as OpenSSL would give none either.
        }
    }

    /// <summary>The DN as mod_ssl writes it (RFC 2253: the last attribute first, commas, escapes), and each known component the first time it comes.</summary>
    public static string Rfc2253(X500DistinguishedName name) => Rfc2253(Attributes(name));

    private static void WriteName(string variable, X500DistinguishedName name, IEnvironSink sink)
    {
        List<(string Oid, string Value)> attributes = Attributes(name);
        sink.Add(variable, AsWsgiString(Rfc2253(attributes)));
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        // In the certificate's order: SSL_CLIENT_S_DN_OU is the first OU, _OU_1 the second...
        // as mod_ssl numbers them.
        foreach ((string oid, string value) in attributes)
        {
            if (NameAttributes.TryGetValue(oid, out var known) && known.Suffix is string suffix)
            {
                int n = seen.TryGetValue(suffix, out int before) ? before + 1 : 0;
                seen[suffix] = n;
                sink.Add(n == 0 ? $"{variable}_{suffix}" : $"{variable}_{suffix}_{n}", AsWsgiString(value));
            }
        }
    }

    /// <summary>
    /// A certificate's text as mod_ssl hands it over: its UTF-8 bytes, each a character (PEP
    /// 3333's latin-1 environ strings), so <c>value.encode('latin-1').decode('utf-8')</c> gives
    /// the name back, as under Apache (QA: 'J\xfcrgen' where Apache gives 'J\xc3\xbcrgen').
    /// </summary>
    private static string AsWsgiString(string text) =>
        System.Text.Ascii.IsValid(text) ? text : Encoding.Latin1.GetString(Encoding.UTF8.GetBytes(text));

    private static List<(string Oid, string Value)> Attributes(X500DistinguishedName name)
    {
        var attributes = new List<(string, string)>();
        // In the order encoded (C first, usually), which RFC 2253 writes backwards.
        foreach (X500RelativeDistinguishedName rdn in name.EnumerateRelativeDistinguishedNames(reversed: false))
        {
            if (!rdn.HasMultipleElements && rdn.GetSingleElementValue() is string value)
            {
                attributes.Add((rdn.GetSingleElementType().Value ?? "", value));
            }
        }
        return attributes;
    }

    private static string Rfc2253(List<(string Oid, string Value)> attributes)
    {
        var text = new StringBuilder();
        for (int i = attributes.Count - 1; i >= 0; i--)
        {
            (string oid, string value) = attributes[i];
            if (text.Length > 0)
            {
                text.Append(',');
            }
            text.Append(NameAttributes.TryGetValue(oid, out var known) ? known.Name : oid).Append('=');
            for (int c = 0; c < value.Length; c++)
            {
                char ch = value[c];
                if (ch is ',' or '+' or '"' or '\\' or '<' or '>' or ';' || (c == 0 && ch is '#' or ' ') || (c == value.Length - 1 && ch == ' '))
                {
                    text.Append('\\');
                }
                text.Append(ch);
            }
        }
        return text.ToString();
    }

    private static string Algorithm(string? oid) =>
        oid == null ? "UNKNOWN" : Algorithms.TryGetValue(oid, out string? name) ? name : oid;

    /// <summary>OpenSSL's ASN1_TIME_print: "Jan  5 12:00:00 2027 GMT" (the day padded with a space).</summary>
    internal static string OpenSslTime(DateTime utc) =>
        utc.ToString("MMM ", CultureInfo.InvariantCulture) + utc.Day.ToString(CultureInfo.InvariantCulture).PadLeft(2) + utc.ToString(" HH:mm:ss yyyy", CultureInfo.InvariantCulture) + " GMT";
}
