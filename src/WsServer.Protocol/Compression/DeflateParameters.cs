using System.Globalization;
using System.Text;
using WsServer.Protocol.Session;
using WsServer.Protocol.Framing;

namespace WsServer.Protocol.Compression;

/// <summary>The agreed parameters of permessage-deflate (RFC 7692 §7.1), as the server's response
/// states them: what each side's compressor may do.</summary>
/// <param name="ServerNoContextTakeover">The server resets its compressor after each message (§7.1.1.1).</param>
/// <param name="ClientNoContextTakeover">The client resets its compressor after each message (§7.1.1.2).</param>
/// <param name="ServerMaxWindowBits">The server's LZ77 window, 8..15 (§7.1.2.1).</param>
/// <param name="ClientMaxWindowBits">The client's LZ77 window, 8..15 (§7.1.2.2).</param>
public sealed record DeflateParameters(
    bool ServerNoContextTakeover = false,
    bool ClientNoContextTakeover = false,
    int ServerMaxWindowBits = DeflateParameters.MaxWindowBits,
    int ClientMaxWindowBits = DeflateParameters.MaxWindowBits)
{
    /// <summary>The extension's registered name.</summary>
    public const string ExtensionName = "permessage-deflate";

    /// <summary>The smallest window RFC 7692 allows: 2^8 bytes.</summary>
    public const int MinWindowBits = 8;

    /// <summary>The largest window, and the default: 2^15 bytes.</summary>
    public const int MaxWindowBits = 15;

    /// <summary>Whether the compressor of <paramref name="sender"/> resets after each message.</summary>
    public bool NoContextTakeover(EndpointRole sender) =>
        sender == EndpointRole.Server ? ServerNoContextTakeover : ClientNoContextTakeover;

    /// <summary>The window of the compressor of <paramref name="sender"/>.</summary>
    public int WindowBits(EndpointRole sender) =>
        sender == EndpointRole.Server ? ServerMaxWindowBits : ClientMaxWindowBits;

    /// <summary>The <c>Sec-WebSocket-Extensions</c> response value; a window of 15 is left implicit,
    /// unless <paramref name="serverWindowStated"/> (§7.1.2.1: an offer that named
    /// <c>server_max_window_bits</c> is accepted only by answering it).</summary>
    public string ToResponseHeader(bool serverWindowStated = false)
    {
        var text = new StringBuilder(ExtensionName);
        if (ServerNoContextTakeover) text.Append("; server_no_context_takeover");
        if (ClientNoContextTakeover) text.Append("; client_no_context_takeover");
        if (ServerMaxWindowBits != MaxWindowBits || serverWindowStated)
            text.Append("; server_max_window_bits=").Append(ServerMaxWindowBits.ToString(CultureInfo.InvariantCulture));
        if (ClientMaxWindowBits != MaxWindowBits)
            text.Append("; client_max_window_bits=").Append(ClientMaxWindowBits.ToString(CultureInfo.InvariantCulture));
        return text.ToString();
    }

    /// <inheritdoc/>
    public override string ToString() => ToResponseHeader();
}
