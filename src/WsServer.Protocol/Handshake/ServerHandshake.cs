using System.Buffers;

namespace WsServer.Protocol.Handshake;

/// <summary>The server side of the opening handshake (RFC 6455 §4.2).</summary>
public static class ServerHandshake
{
    /// <summary>Checks a request against §4.2.1; null when it is a valid upgrade. A request without
    /// an upgrade gives 426 with <c>Upgrade: websocket</c>; another method 405; another version
    /// 426 with <c>Sec-WebSocket-Version: 13</c>; anything else malformed 400 with the reason.</summary>
    public static HandshakeRejection? Validate(UpgradeRequest request) => throw new NotImplementedException();

    /// <summary>Writes the 101 Switching Protocols answer for a validated request.</summary>
    public static void WriteAccept(IBufferWriter<byte> output, UpgradeRequest request, HandshakeAccept accept) =>
        throw new NotImplementedException();

    /// <summary>Writes the refusal: status line, the rejection's headers, <c>Connection: close</c>,
    /// a text/plain body.</summary>
    public static void WriteRejection(IBufferWriter<byte> output, HandshakeRejection rejection) =>
        throw new NotImplementedException();
}
