namespace WsServer.Protocol.Handshake;

/// <summary>A parsed HTTP/1.1 response head, as read by <see cref="ClientHandshake"/>: the server's 101
/// answer, or its refusal (status and headers; its body follows the head in the input).</summary>
public sealed class HandshakeResponse
{
    /// <summary>The HTTP version of the status line (1.1).</summary>
    public required Version HttpVersion { get; init; }

    /// <summary>The status code (101 on success).</summary>
    public required int StatusCode { get; init; }

    /// <summary>The reason phrase as sent, possibly empty; informative only (RFC 9112 §4).</summary>
    public required string ReasonPhrase { get; init; }

    /// <summary>All header fields.</summary>
    public required HttpHeaders Headers { get; init; }

    /// <summary>The subprotocol the server chose (<c>Sec-WebSocket-Protocol</c>); null for none.</summary>
    public string? Subprotocol => Headers["Sec-WebSocket-Protocol"];

    /// <summary>The extensions the server accepted (<c>Sec-WebSocket-Extensions</c>, as sent); null for none.</summary>
    public string? Extensions => Headers["Sec-WebSocket-Extensions"];
}
