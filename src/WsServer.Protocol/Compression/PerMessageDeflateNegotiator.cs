using WsServer.Protocol.Handshake;

namespace WsServer.Protocol.Compression;

/// <summary>An accepted permessage-deflate offer: the parameters in force and the response header value.</summary>
/// <param name="Parameters">The agreed parameters.</param>
/// <param name="ResponseHeader">The <c>Sec-WebSocket-Extensions</c> value to answer with.</param>
public readonly record struct DeflateAgreement(DeflateParameters Parameters, string ResponseHeader);

/// <summary>The server's side of RFC 7692 §7.1: picks the first permessage-deflate offer it can
/// honour and says what it will use. A pure function.</summary>
/// <remarks>
/// An offer with an unknown parameter, a parameter twice, or a bad value is declined, and the next one
/// is tried (§7.1: "the server MUST decline an extension negotiation offer for this extension" in
/// each of those cases). A server window of 8 is answered as 8 and compressed with zlib's 9, whose
/// matches reach back at most 250 bytes, so the 256-byte window the client asked for holds.
/// Where the codec's zlib cannot be loaded (<see cref="IsSupported"/> is false) every offer is declined:
/// the connection goes on uncompressed.
/// </remarks>
public static class PerMessageDeflateNegotiator
{
    /// <summary>Whether this process can compress: the system zlib the codec calls (<c>libz.so.1</c>)
    /// could be loaded, which is probed once. False on a platform without it (Windows, macOS, a Linux
    /// without zlib); <see cref="Negotiate(IReadOnlyList{ExtensionOffer}, PerMessageDeflateOptions)"/> then
    /// declines every offer.</summary>
    public static bool IsSupported => ZLibProbe.IsAvailable;

    /// <summary>Negotiates over the offers in the client's order; null when compression is disabled or
    /// not supported here (<see cref="IsSupported"/>), or no offer can be accepted (then the response
    /// names no extension).</summary>
    public static DeflateAgreement? Negotiate(IReadOnlyList<ExtensionOffer> offers, PerMessageDeflateOptions options) =>
        Negotiate(offers, options, ZLibProbe.IsAvailable);

    /// <summary><see cref="Negotiate(IReadOnlyList{ExtensionOffer}, PerMessageDeflateOptions)"/> with the
    /// codec's availability given, so tests can take the path of a machine without zlib.</summary>
    internal static DeflateAgreement? Negotiate(IReadOnlyList<ExtensionOffer> offers, PerMessageDeflateOptions options, bool codecAvailable)
    {
        ArgumentNullException.ThrowIfNull(offers);
        ArgumentNullException.ThrowIfNull(options);
        if (!options.Enabled || !codecAvailable) return null;
        foreach (ExtensionOffer offer in offers)
        {
            if (!string.Equals(offer.Name, DeflateParameters.ExtensionName, StringComparison.OrdinalIgnoreCase)) continue;
            if (TryAccept(offer, options, out DeflateAgreement agreement)) return agreement;
        }
        return null;
    }

    private static bool TryAccept(ExtensionOffer offer, PerMessageDeflateOptions options, out DeflateAgreement agreement)
    {
        agreement = default;
        bool serverNoTakeover = false, clientNoTakeover = false, clientWindowOffered = false;
        int? serverWindow = null, clientWindow = null;
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (ExtensionParameter parameter in offer.Parameters)
        {
            // §7.1: "An extension negotiation offer ... MUST NOT include multiple extension parameters
            // with the same name" — a server declines one that does.
            if (!seen.Add(parameter.Name)) return false;
            switch (parameter.Name.ToLowerInvariant())
            {
                // §7.1.1.1, §7.1.1.2: these "have no value".
                case "server_no_context_takeover" when parameter.Value is null:
                    serverNoTakeover = true;
                    break;
                case "client_no_context_takeover" when parameter.Value is null:
                    clientNoTakeover = true;
                    break;
                // §7.1.2.1: "This parameter has a value" in 8..15, "without leading zeroes".
                case "server_max_window_bits" when TryParseWindowBits(parameter.Value, out int bits):
                    serverWindow = bits;
                    break;
                // §7.1.2.2: "This parameter has no value or a decimal integer value" in 8..15.
                case "client_max_window_bits" when parameter.Value is null || TryParseWindowBits(parameter.Value, out _):
                    clientWindowOffered = true;
                    clientWindow = parameter.Value is null ? null : int.Parse(parameter.Value, System.Globalization.CultureInfo.InvariantCulture);
                    break;
                default:
                    // An unknown parameter, or a known one with a value it may not have.
                    return false;
            }
        }

        // §7.1.2.2: "the server MUST NOT include the client_max_window_bits extension parameter" unless
        // the client offered it, and then with a value no greater than the offered one.
        int agreedClientWindow = clientWindowOffered
            ? Math.Min(clientWindow ?? DeflateParameters.MaxWindowBits, options.ClientMaxWindowBits)
            : DeflateParameters.MaxWindowBits;

        var parameters = new DeflateParameters(
            ServerNoContextTakeover: serverNoTakeover || options.ServerNoContextTakeover,
            ClientNoContextTakeover: clientNoTakeover || options.ClientNoContextTakeover,
            ServerMaxWindowBits: Math.Min(serverWindow ?? DeflateParameters.MaxWindowBits, options.ServerMaxWindowBits),
            ClientMaxWindowBits: agreedClientWindow);
        agreement = new DeflateAgreement(parameters, parameters.ToResponseHeader(serverWindowStated: serverWindow is not null));
        return true;
    }

    /// <summary>8..15 as written by RFC 7692's ABNF: <c>%x38-39 / "1" %x30-35</c>.</summary>
    private static bool TryParseWindowBits(string? value, out int bits)
    {
        bits = value switch
        {
            [>= '8' and <= '9'] => value[0] - '0',
            ['1', >= '0' and <= '5'] => 10 + value[1] - '0',
            _ => 0,
        };
        return bits != 0;
    }
}
