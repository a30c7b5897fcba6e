using System.Globalization;
using WsServer.Protocol.Handshake;

namespace WsServer.Protocol.Compression;

/// <summary>The client's side of RFC 7692 §7.1: the offer it sends, and its checks of what the server
/// answered. A pure function, the counterpart of <see cref="PerMessageDeflateNegotiator"/>.</summary>
public static class PerMessageDeflateOffer
{
    /// <summary>The offer a client sends in <c>Sec-WebSocket-Extensions</c>, as browsers do: compression with
    /// context takeover both ways, and the server may ask for a smaller client window (§7.1.2.2).</summary>
    public const string Default = DeflateParameters.ExtensionName + "; client_max_window_bits";

    /// <summary>The offer <see cref="Default"/> writes, as parameters: every one at its default.</summary>
    public static DeflateParameters DefaultOffer { get; } = new();

    /// <summary>Writes an offer shaped by <paramref name="offer"/>: each no-context-takeover it sets, the server's
    /// window when under 15 (<c>server_max_window_bits=N</c>: the server must compress with at most that), and
    /// the client's window always (§7.1.2.2): without a value at 15, which lets the server choose a smaller
    /// one, and with its value under 15, the most the client will use.</summary>
    public static string ToHeader(DeflateParameters offer)
    {
        ArgumentNullException.ThrowIfNull(offer);
        var text = new System.Text.StringBuilder(DeflateParameters.ExtensionName);
        if (offer.ClientNoContextTakeover) text.Append("; client_no_context_takeover");
        if (offer.ServerNoContextTakeover) text.Append("; server_no_context_takeover");
        if (offer.ServerMaxWindowBits < DeflateParameters.MaxWindowBits)
            text.Append("; server_max_window_bits=").Append(offer.ServerMaxWindowBits.ToString(CultureInfo.InvariantCulture));
        text.Append("; client_max_window_bits");
        if (offer.ClientMaxWindowBits < DeflateParameters.MaxWindowBits)
            text.Append('=').Append(offer.ClientMaxWindowBits.ToString(CultureInfo.InvariantCulture));
        return text.ToString();
    }

    /// <summary>Reads the server's <c>Sec-WebSocket-Extensions</c> answer to <see cref="Default"/>, as
    /// <see cref="TryAccept(IEnumerable{string}, DeflateParameters, out DeflateParameters?, out string?)"/> does.</summary>
    public static bool TryAccept(IEnumerable<string> responseValues, out DeflateParameters? agreed, out string? error) =>
        TryAccept(responseValues, DefaultOffer, out agreed, out error);

    /// <summary>Reads the server's <c>Sec-WebSocket-Extensions</c> answer to the offer
    /// <see cref="ToHeader"/> wrote for <paramref name="offer"/>. True with the agreed parameters, or with null
    /// when the server declined (named no extension); false with a short reason when the client must fail the
    /// connection (§7.1: an unknown parameter, one twice, an invalid value, or an extension that was not
    /// offered) or the answer does not honour the offer (no <c>server_no_context_takeover</c> when it was asked
    /// for, §7.1.1.1; a server window missing or larger than asked, §7.1.2.1; a client window larger than
    /// offered, §7.1.2.2). What the client asked of itself holds whatever the answer says: its
    /// <c>client_no_context_takeover</c>, and its window when the answer names none.</summary>
    /// <param name="responseValues">The values of every <c>Sec-WebSocket-Extensions</c> field of the response.</param>
    /// <param name="offer">What was offered.</param>
    /// <param name="agreed">The parameters in force; null when declined or refused.</param>
    /// <param name="error">Why the answer is refused; null otherwise.</param>
    public static bool TryAccept(IEnumerable<string> responseValues, DeflateParameters offer,
        out DeflateParameters? agreed, out string? error)
    {
        ArgumentNullException.ThrowIfNull(responseValues);
        ArgumentNullException.ThrowIfNull(offer);
        agreed = null;
        if (!ExtensionListParser.TryParse(responseValues, out List<ExtensionOffer> accepted))
            return Refuse("the Sec-WebSocket-Extensions header is malformed", out error);
        if (accepted.Count == 0)
        {
            error = null;
            return true;
        }
        if (accepted.Count > 1)
            return Refuse("the server accepted more than one extension", out error);
        ExtensionOffer answer = accepted[0];
        if (!string.Equals(answer.Name, DeflateParameters.ExtensionName, StringComparison.OrdinalIgnoreCase))
            return Refuse($"the server accepted the extension '{answer.Name}', which was not offered", out error);

        var parameters = new DeflateParameters();
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (ExtensionParameter parameter in answer.Parameters)
        {
            // §7.1: "A client MUST _Fail the WebSocket Connection_ if ... The negotiation response contains
            // multiple extension parameters with the same name" (or an unknown one, or an invalid value).
            if (!seen.Add(parameter.Name))
                return Refuse($"the server's answer names '{parameter.Name}' twice", out error);
            switch (parameter.Name.ToLowerInvariant())
            {
                // §7.1.1.1, §7.1.1.2: no value.
                case "server_no_context_takeover" when parameter.Value is null:
                    parameters = parameters with { ServerNoContextTakeover = true };
                    break;
                case "client_no_context_takeover" when parameter.Value is null:
                    parameters = parameters with { ClientNoContextTakeover = true };
                    break;
                // §7.1.2.1: a value in 8..15; the server may state it unasked.
                case "server_max_window_bits" when TryParseWindowBits(parameter.Value, out int bits):
                    parameters = parameters with { ServerMaxWindowBits = bits };
                    break;
                // §7.1.2.2: offered without a value, so the answer "MUST" have one, 8..15.
                case "client_max_window_bits" when TryParseWindowBits(parameter.Value, out int bits):
                    parameters = parameters with { ClientMaxWindowBits = bits };
                    break;
                default:
                    return Refuse(parameter.Value is null
                        ? $"the server's answer has the parameter '{parameter.Name}', which is unknown or needs a value"
                        : $"the server's answer has '{parameter.Name}={parameter.Value}', which is not allowed", out error);
            }
        }
        return TryHonour(offer, parameters, seen, out agreed, out error);
    }

    // The answer against the offer: what the server had to agree to, and what the client holds itself to.
    private static bool TryHonour(DeflateParameters offer, DeflateParameters answer, HashSet<string> named,
        out DeflateParameters? agreed, out string? error)
    {
        agreed = null;
        // §7.1.1.1: "A server accepting an extension negotiation offer with this parameter MUST include the
        // server_no_context_takeover extension parameter in the response."
        if (offer.ServerNoContextTakeover && !answer.ServerNoContextTakeover)
            return Refuse("the server's answer lacks the server_no_context_takeover that was offered", out error);
        // §7.1.2.1: the server answers an offered window "with a value ... less than or equal to" it.
        bool serverWindowAsked = offer.ServerMaxWindowBits < DeflateParameters.MaxWindowBits;
        if (serverWindowAsked && !named.Contains("server_max_window_bits"))
            return Refuse("the server's answer lacks the server_max_window_bits that was offered", out error);
        if (answer.ServerMaxWindowBits > offer.ServerMaxWindowBits)
            return Refuse($"the server's window of {answer.ServerMaxWindowBits} bits is larger than the {offer.ServerMaxWindowBits} offered", out error);
        // §7.1.2.2: a client window in the answer is at most the one offered; without one, the offered one holds.
        if (!named.Contains("client_max_window_bits")) answer = answer with { ClientMaxWindowBits = offer.ClientMaxWindowBits };
        else if (answer.ClientMaxWindowBits > offer.ClientMaxWindowBits)
            return Refuse($"the client window of {answer.ClientMaxWindowBits} bits asked for is larger than the {offer.ClientMaxWindowBits} offered", out error);
        agreed = answer with { ClientNoContextTakeover = answer.ClientNoContextTakeover || offer.ClientNoContextTakeover };
        error = null;
        return true;
    }

    private static bool Refuse(string reason, out string? error)
    {
        error = reason;
        return false;
    }

    /// <summary>8..15 as written by RFC 7692's ABNF: <c>%x38-39 / "1" %x30-35</c>.</summary>
    private static bool TryParseWindowBits(string? value, out int bits)
    {
        bits = value switch
        {
            [>= '8' and <= '9'] => value[0] - '0',
            ['1', >= '0' and <= '5'] => int.Parse(value, CultureInfo.InvariantCulture),
            _ => 0,
        };
        return bits != 0;
    }
}
