namespace WsServer.Protocol.Handshake;

/// <summary>An HTTP answer that refuses an upgrade: status, reason and the headers the RFC asks for.</summary>
/// <param name="StatusCode">The HTTP status (400, 403, 404, 405, 414, 426, 431, 500, 505, ...).</param>
/// <param name="Reason">A short human sentence; the body when <see cref="Body"/> is null.</param>
public sealed record HandshakeRejection(int StatusCode, string Reason)
{
    /// <summary>Extra response headers.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Headers { get; init; } = [];

    /// <summary>The response body (text/plain, UTF-8); null sends <see cref="Reason"/>.</summary>
    public string? Body { get; init; }

    /// <summary>400 with a reason.</summary>
    public static HandshakeRejection BadRequest(string reason) => new(400, reason);

    /// <summary>405 with <c>Allow: GET</c>.</summary>
    public static HandshakeRejection MethodNotAllowed() =>
        new(405, "method not allowed: a WebSocket upgrade is a GET") { Headers = [new("Allow", "GET")] };

    /// <summary>426 with <c>Sec-WebSocket-Version: 13</c> (RFC 6455 §4.4).</summary>
    public static HandshakeRejection UnsupportedVersion() =>
        new(426, "unsupported WebSocket version: 13 is supported") { Headers = [new("Sec-WebSocket-Version", "13")] };

    /// <summary>426 with <c>Upgrade: websocket</c>, for a plain HTTP request to a WebSocket resource.</summary>
    public static HandshakeRejection UpgradeRequired() =>
        new(426, "this resource speaks WebSocket: upgrade required")
        {
            Headers = [new("Upgrade", "websocket"), new("Connection", "Upgrade"), new("Sec-WebSocket-Version", "13")],
        };

    /// <summary>431: the request's headers are over the limits.</summary>
    public static HandshakeRejection HeadersTooLarge(string reason) => new(431, reason);

    /// <summary>414: the request line is longer than <see cref="HandshakeLimits.MaxLineLength"/>.</summary>
    public static HandshakeRejection UriTooLong(string reason) => new(414, reason);

    /// <summary>404 for a path no route serves.</summary>
    public static HandshakeRejection NotFound() => new(404, "not found");

    /// <summary>403, for a refused origin.</summary>
    public static HandshakeRejection Forbidden(string reason) => new(403, reason);
}
