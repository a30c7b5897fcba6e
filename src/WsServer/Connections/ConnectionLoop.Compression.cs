using WsServer.Protocol.Compression;
using WsServer.Protocol.Handshake;
using WsServer.Protocol.Session;
using WsServer.Routing;

namespace WsServer.Connections;

/// <content>permessage-deflate (RFC 7692): negotiated in the upgrade from the route's or the server's
/// <see cref="PerMessageDeflateOptions"/>, then handed to the session (inflate) and the outbox (deflate).
/// No zlib state exists until the first compressed message flows.</content>
internal sealed partial class ConnectionLoop
{
    private DeflateAgreement? _deflate;
    private PerMessageDeflateOptions _compression = PerMessageDeflateOptions.Disabled;

    /// <summary>Adds the permessage-deflate answer to <paramref name="accept"/> when the client offered
    /// it and the route allows it; an accept that already names extensions is left as it is.</summary>
    private HandshakeAccept NegotiateCompression(UpgradeRequest request, WebSocketRoute route, HandshakeAccept accept)
    {
        _compression = route.Options.Compression ?? _server.Options.Compression;
        if (accept.Extensions is not null) return accept;
        _deflate = PerMessageDeflateNegotiator.Negotiate(request.Extensions, _compression);
        return _deflate is { } agreement ? accept with { Extensions = agreement.ResponseHeader } : accept;
    }

    /// <summary>The session's options with the agreed parameters, and the outbox's compressor.</summary>
    private ProtocolOptions UseCompression(ProtocolOptions options, Outbox outbox)
    {
        if (_deflate is not { Parameters: var parameters }) return options;
        outbox.UseCompression(new PayloadDeflater(parameters.ServerMaxWindowBits, parameters.ServerNoContextTakeover,
            _compression.CompressionLevel, _compression.MemoryLevel), _compression.Threshold);
        return options with { Deflate = parameters, Compression = _compression };
    }
}
