namespace WsServer.Protocol.Handshake;

/// <summary>What a client puts in its opening handshake (RFC 6455 §4.1), for
/// <see cref="ClientHandshake.WriteRequest"/>.</summary>
public sealed record ClientRequest
{
    /// <summary>The <c>Host</c> header: host, and port when not the scheme's default (<c>example.com:8080</c>).</summary>
    public required string Host { get; init; }

    /// <summary>The /resource name/: path and query (<c>/chat?room=1</c>); starts with <c>/</c>.</summary>
    public string Path { get; init; } = "/";

    /// <summary>The <c>Sec-WebSocket-Key</c>; a fresh <see cref="AcceptKey.NewKey"/> by default. Pass the
    /// same key to <see cref="ClientHandshake.TryReadResponse(ref System.Buffers.ReadOnlySequence{byte}, string, HandshakeLimits, out HandshakeResponse?, out string?)"/>.</summary>
    public string Key { get; init; } = AcceptKey.NewKey();

    /// <summary>The subprotocols offered, in order of preference; none by default.</summary>
    public IReadOnlyList<string> Subprotocols { get; init; } = [];

    /// <summary>The <c>Sec-WebSocket-Extensions</c> offer as written (<c>permessage-deflate; client_max_window_bits</c>);
    /// null for none.</summary>
    public string? Extensions { get; init; }

    /// <summary>The <c>Origin</c> header (browsers send it); null for none.</summary>
    public string? Origin { get; init; }

    /// <summary>Extra request headers (<c>Authorization</c>, <c>Cookie</c>, ...).</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Headers { get; init; } = [];
}
