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

    /// <summary>Reads the server's <c>Sec-WebSocket-Extensions</c> answer to <see cref="Default"/>. True with
    /// the agreed parameters, or with null when the server declined (named no extension); false with a
    /// short reason when the client must fail the connection (§7.1: an unknown parameter, one twice, an
    /// invalid value, or an extension that was not offered).</summary>
    /// <param name="responseValues">The values of every <c>Sec-WebSocket-Extensions</c> field of the response.</param>
    /// <param name="agreed">The parameters in force; null when declined or refused.</param>
    /// <param name="error">Why the answer is refused; null otherwise.</param>
    public static bool TryAccept(IEnumerable<string> responseValues, out DeflateParameters? agreed, out string? error)
    {
        ArgumentNullException.ThrowIfNull(responseValues);
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
        agreed = parameters;
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
