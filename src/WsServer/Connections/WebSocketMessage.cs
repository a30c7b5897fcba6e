using System.Text;
using WsServer.Protocol.Closing;

namespace WsServer.Connections;

/// <summary>The kinds of message a handler can be given.</summary>
public enum MessageType
{
    /// <summary>A whole UTF-8 text message (already validated).</summary>
    Text,
    /// <summary>A whole binary message.</summary>
    Binary,
    /// <summary>A ping (already answered with a pong); only when control frames are delivered.</summary>
    Ping,
    /// <summary>A pong; only when control frames are delivered.</summary>
    Pong,
    /// <summary>The peer's close (already answered); only when control frames are delivered.</summary>
    Close,
}

/// <summary>One message received on a connection. <see cref="Payload"/> is borrowed from the connection's
/// receive buffer: valid until the <see cref="IWebSocketHandler{TState}.HandleAsync"/> call completes,
/// so copy what must outlive it.</summary>
public readonly struct WebSocketMessage
{
    internal WebSocketMessage(MessageType type, ReadOnlyMemory<byte> payload, CloseCode? closeCode = null)
    {
        Type = type;
        Payload = payload;
        CloseCode = closeCode;
    }

    /// <summary>What kind of message this is.</summary>
    public MessageType Type { get; }

    /// <summary>The message bytes (UTF-8 for text; a ping's or pong's data; only the reason, in UTF-8,
    /// for a close: its status is <see cref="CloseCode"/>).</summary>
    public ReadOnlyMemory<byte> Payload { get; }

    /// <summary>The peer's close code, for <see cref="MessageType.Close"/>.</summary>
    public CloseCode? CloseCode { get; }

    /// <summary>True for a text message.</summary>
    public bool IsText => Type == MessageType.Text;

    /// <summary>Decodes the payload as a new string (allocates; use <see cref="Payload"/> on hot paths).</summary>
    public string GetText() => Encoding.UTF8.GetString(Payload.Span);

    /// <summary>A text message, for tests of handlers.</summary>
    public static WebSocketMessage Text(ReadOnlyMemory<byte> utf8) => new(MessageType.Text, utf8);

    /// <summary>A binary message, for tests of handlers.</summary>
    public static WebSocketMessage Binary(ReadOnlyMemory<byte> data) => new(MessageType.Binary, data);
}
