using System.Diagnostics.CodeAnalysis;
using System.Text;

namespace WsServer.Protocol.Handshake;

/// <summary>Parses <c>Sec-WebSocket-Extensions</c> values (RFC 6455 §9.1) into offers, in order, across
/// repeated fields. All or nothing: a malformed value makes the whole header malformed.</summary>
/// <remarks>The grammar, with RFC 9110 §5.6.1 list rules (empty elements ignored, OWS around delimiters):
/// <code>
/// extension-list  = 1#extension
/// extension       = extension-token *( ";" extension-param )
/// extension-param = token [ "=" (token | quoted-string) ]
/// </code></remarks>
internal static class ExtensionListParser
{
    /// <summary>True with every offer when all values are well formed; false with an empty list otherwise.</summary>
    internal static bool TryParse(IEnumerable<string> fieldValues, out List<ExtensionOffer> offers)
    {
        offers = [];
        foreach (string value in fieldValues)
        {
            if (!TryParseList(value, offers))
            {
                offers = [];
                return false;
            }
        }
        return true;
    }

    private static bool TryParseList(string text, List<ExtensionOffer> offers)
    {
        int pos = 0;
        while (true)
        {
            SkipOws(text, ref pos);
            if (pos == text.Length) return true;
            if (text[pos] == ',')
            {
                pos++;
                continue;
            }
            if (!TryParseExtension(text, ref pos, out ExtensionOffer? offer)) return false;
            offers.Add(offer);
            SkipOws(text, ref pos);
            if (pos == text.Length) return true;
            if (text[pos] != ',') return false;
            pos++;
        }
    }

    private static bool TryParseExtension(string text, ref int pos, [NotNullWhen(true)] out ExtensionOffer? offer)
    {
        offer = null;
        string? name = ReadToken(text, ref pos);
        if (name is null) return false;
        var parameters = new List<ExtensionParameter>();
        while (true)
        {
            SkipOws(text, ref pos);
            if (pos == text.Length || text[pos] != ';') break;
            pos++;
            SkipOws(text, ref pos);
            string? parameterName = ReadToken(text, ref pos);
            if (parameterName is null) return false;
            SkipOws(text, ref pos);
            string? value = null;
            if (pos < text.Length && text[pos] == '=')
            {
                pos++;
                SkipOws(text, ref pos);
                value = pos < text.Length && text[pos] == '"' ? ReadQuoted(text, ref pos) : ReadToken(text, ref pos);
                // §9.1: "When using the quoted-string syntax variant, the value after quoted-string
                // unescaping MUST conform to the 'token' ABNF."
                if (value is null || !HttpSyntax.IsToken(value)) return false;
            }
            parameters.Add(new ExtensionParameter(parameterName, value));
        }
        offer = new ExtensionOffer(name, parameters);
        return true;
    }

    private static string? ReadToken(string text, ref int pos)
    {
        int length = text.AsSpan(pos).IndexOfAnyExcept(HttpSyntax.Token);
        if (length < 0) length = text.Length - pos;
        if (length == 0) return null;
        string token = text.Substring(pos, length);
        pos += length;
        return token;
    }

    // RFC 9110 §5.6.4: quoted-string = DQUOTE *( qdtext / quoted-pair ) DQUOTE; quoted-pair = "\" octet.
    private static string? ReadQuoted(string text, ref int pos)
    {
        var value = new StringBuilder();
        for (int i = pos + 1; i < text.Length; i++)
        {
            char c = text[i];
            if (c == '"')
            {
                pos = i + 1;
                return value.ToString();
            }
            if (c == '\\')
            {
                if (++i == text.Length) return null;
                c = text[i];
            }
            value.Append(c);
        }
        return null;
    }

    private static void SkipOws(string text, ref int pos)
    {
        while (pos < text.Length && text[pos] is ' ' or '\t') pos++;
    }
}
