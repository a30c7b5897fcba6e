namespace WsServer.Protocol.Handshake;

/// <summary>What a server puts in its 101 answer beyond the accept key.</summary>
public sealed record HandshakeAccept
{
    /// <summary>The chosen subprotocol, one the client offered; null for none.</summary>
    public string? Subprotocol { get; init; }

    /// <summary>The <c>Sec-WebSocket-Extensions</c> answer; null for none.</summary>
    public string? Extensions { get; init; }

    /// <summary>Extra response headers.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Headers { get; init; } = [];

    /// <summary>No subprotocol, no extension, no extra header.</summary>
    public static HandshakeAccept Plain { get; } = new();
}
