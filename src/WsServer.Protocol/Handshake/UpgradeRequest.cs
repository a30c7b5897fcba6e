namespace WsServer.Protocol.Handshake;

/// <summary>A parsed HTTP/1.1 request, which may or may not be a valid WebSocket upgrade
/// (<see cref="ServerHandshake.Validate"/> decides).</summary>
public sealed class UpgradeRequest
{
    /// <summary>The method, as sent (<c>GET</c>).</summary>
    public required string Method { get; init; }

    /// <summary>The request target as sent (<c>/chat?room=1</c>).</summary>
    public required string Target { get; init; }

    /// <summary>The path part of the target, percent-encoding kept (<c>/chat</c>).</summary>
    public required string Path { get; init; }

    /// <summary>The query without its <c>?</c>; empty when absent.</summary>
    public required string Query { get; init; }

    /// <summary>The HTTP version (1.1).</summary>
    public required Version HttpVersion { get; init; }

    /// <summary>All header fields.</summary>
    public required HttpHeaders Headers { get; init; }

    /// <summary>The <c>Host</c> header; null when absent.</summary>
    public string? Host => Headers["Host"];

    /// <summary>The <c>Origin</c> header; null when absent.</summary>
    public string? Origin => Headers["Origin"];

    /// <summary>The subprotocols offered in <c>Sec-WebSocket-Protocol</c>, in the client's order.</summary>
    public IReadOnlyList<string> Subprotocols => throw new NotImplementedException();

    /// <summary>The extensions offered in <c>Sec-WebSocket-Extensions</c>, in the client's order.</summary>
    public IReadOnlyList<ExtensionOffer> Extensions => throw new NotImplementedException();
}
