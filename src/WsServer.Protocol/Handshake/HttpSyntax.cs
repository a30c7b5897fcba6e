using System.Buffers;

namespace WsServer.Protocol.Handshake;

/// <summary>The character classes of RFC 9110 §5.6 and the checks built on them, shared by the
/// head reader (bytes in) and the head writers (strings out).</summary>
internal static class HttpSyntax
{
    // RFC 9110 §5.6.2: tchar = "!" / "#" / "$" / "%" / "&" / "'" / "*" / "+" / "-" / "." /
    // "^" / "_" / "`" / "|" / "~" / DIGIT / ALPHA
    private const string TokenChars =
        "!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

    // RFC 9110 §5.5: field-value characters are VCHAR, obs-text, SP and HTAB; every other control is invalid.
    private const string ValueControls =
        "\0\u0001\u0002\u0003\u0004\u0005\u0006\u0007\u0008\u000a\u000b\u000c\u000d\u000e\u000f" +
        "\u0010\u0011\u0012\u0013\u0014\u0015\u0016\u0017\u0018\u0019\u001a\u001b\u001c\u001d\u001e\u001f\u007f";

    internal static readonly SearchValues<byte> TokenBytes = SearchValues.Create(System.Text.Encoding.ASCII.GetBytes(TokenChars));
    internal static readonly SearchValues<char> Token = SearchValues.Create(TokenChars);
    internal static readonly SearchValues<byte> ValueControlBytes = SearchValues.Create(System.Text.Encoding.ASCII.GetBytes(ValueControls));

    /// <summary>Optional whitespace, RFC 9110 §5.6.3: OWS = *( SP / HTAB ).</summary>
    internal static ReadOnlySpan<byte> OwsBytes => " \t"u8;

    /// <summary>Optional whitespace as chars.</summary>
    internal const string Ows = " \t";

    internal static bool IsToken(ReadOnlySpan<byte> text) => !text.IsEmpty && !text.ContainsAnyExcept(TokenBytes);

    internal static bool IsToken(ReadOnlySpan<char> text) => !text.IsEmpty && !text.ContainsAnyExcept(Token);

    /// <summary>Parses <c>HTTP/d.d</c> (RFC 9112 §2.3: HTTP-version = HTTP-name "/" DIGIT "." DIGIT,
    /// HTTP-name = %s"HTTP", so case-sensitive).</summary>
    internal static bool TryParseVersion(ReadOnlySpan<byte> text, out Version version)
    {
        version = HttpVersion11;
        if (text.Length != 8 || !text.StartsWith("HTTP/"u8) || text[6] != (byte)'.'
            || !char.IsAsciiDigit((char)text[5]) || !char.IsAsciiDigit((char)text[7]))
            return false;
        int major = text[5] - '0', minor = text[7] - '0';
        version = (major, minor) switch { (1, 1) => HttpVersion11, (1, 0) => HttpVersion10, _ => new Version(major, minor) };
        return true;
    }

    private static readonly Version HttpVersion11 = new(1, 1);
    private static readonly Version HttpVersion10 = new(1, 0);

    /// <summary>Throws <see cref="ArgumentException"/>, naming the header, unless <paramref name="name"/> is a
    /// token (RFC 9110 §5.1, §5.6.2) and <paramref name="value"/> holds only field-vchar, SP and HTAB
    /// (RFC 9110 §5.5: so no CR, LF or NUL: no header injection).</summary>
    internal static void EnsureWritableField(string name, string value, string paramName)
    {
        if (!IsToken(name))
            throw new ArgumentException(
                $"The header name '{HandshakeRejection.Escape(name)}' is not an HTTP token (RFC 9110 §5.6.2: letters, digits and !#$%&'*+-.^_`|~ only).",
                paramName);
        ArgumentNullException.ThrowIfNull(value, paramName);
        if (FindInvalidValueChar(value) is { } c)
            throw new ArgumentException(
                $"The value of the header '{name}' holds U+{(int)c:X4}: a field value holds visible characters, " +
                "Latin-1 characters, SP and HTAB only (RFC 9110 §5.5), never CR, LF, NUL or another control character.",
                paramName);
    }

    /// <summary>Checks every field as <see cref="EnsureWritableField"/> does, and that none has a name in
    /// <paramref name="reserved"/> (fields the writer writes itself).</summary>
    internal static void EnsureWritableFields(IReadOnlyList<KeyValuePair<string, string>> fields, string[] reserved, string paramName)
    {
        ArgumentNullException.ThrowIfNull(fields, paramName);
        foreach (KeyValuePair<string, string> field in fields)
        {
            EnsureWritableField(field.Key, field.Value, paramName);
            if (reserved.Contains(field.Key, StringComparer.OrdinalIgnoreCase))
                throw new ArgumentException($"The header '{field.Key}' is written by the handshake itself.", paramName);
        }
    }

    /// <summary>Throws <see cref="ArgumentException"/> when <paramref name="value"/> cannot be sent as a field value.</summary>
    internal static void EnsureWritableValue(string value, string paramName)
    {
        ArgumentNullException.ThrowIfNull(value, paramName);
        if (FindInvalidValueChar(value) is { } c)
            throw new ArgumentException(
                $"A header value holds U+{(int)c:X4}: control characters (CR, LF, ...) and non-Latin-1 characters are not allowed.",
                paramName);
    }

    // RFC 9110 §5.5: field-vchar = VCHAR / obs-text (%x80-FF), plus SP and HTAB between them.
    private static char? FindInvalidValueChar(string value)
    {
        foreach (char c in value)
        {
            if (c > '\u00ff' || (c < ' ' && c != '\t') || c == '\u007f') return c;
        }
        return null;
    }

    /// <summary>True when the comma-separated list <paramref name="value"/> holds <paramref name="token"/>,
    /// compared case-insensitively, elements trimmed of OWS (RFC 9110 §5.6.1).</summary>
    internal static bool ListContains(ReadOnlySpan<char> value, string token)
    {
        foreach (Range range in value.Split(','))
        {
            if (value[range].Trim(Ows).Equals(token, StringComparison.OrdinalIgnoreCase)) return true;
        }
        return false;
    }

    /// <summary>Splits a comma-separated list (RFC 9110 §5.6.1) and yields its non-empty, OWS-trimmed elements.</summary>
    internal static IEnumerable<string> ListElements(IEnumerable<string> fieldValues)
    {
        foreach (string value in fieldValues)
        {
            foreach (string element in value.Split(','))
            {
                string trimmed = element.Trim(' ', '\t');
                if (trimmed.Length > 0) yield return trimmed;
            }
        }
    }
}
