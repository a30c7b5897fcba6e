namespace WsServer.Protocol.Handshake;

/// <summary><c>Sec-WebSocket-Key</c> and <c>Sec-WebSocket-Accept</c> (RFC 6455 §1.3, §4.2.2).</summary>
public static class AcceptKey
{
    /// <summary>The GUID appended to the key before hashing.</summary>
    public const string Guid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

    /// <summary>base64(SHA-1(key + GUID)).</summary>
    public static string Compute(string secWebSocketKey) => throw new NotImplementedException();

    /// <summary>True when the key is base64 that decodes to exactly 16 bytes (§4.2.1 item 5).</summary>
    public static bool IsValidKey(string? secWebSocketKey) => throw new NotImplementedException();

    /// <summary>A fresh random key for a client (16 random bytes, base64).</summary>
    public static string NewKey() => throw new NotImplementedException();
}
