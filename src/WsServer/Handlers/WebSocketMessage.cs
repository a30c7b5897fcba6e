using System.Text;
using WsServer.Protocol.Closing;

namespace WsServer.Handlers;

/// <summary>The kinds of message a handler can be given.</summary>
public enum WebSocketMessageType
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
    internal WebSocketMessage(WebSocketMessageType type, ReadOnlyMemory<byte> payload, CloseCode? closeCode = null)
    {
        Type = type;
        Payload = payload;
        CloseCode = closeCode;
    }

    /// <summary>What kind of message this is.</summary>
    public WebSocketMessageType Type { get; }

    /// <summary>The message bytes (UTF-8 for text; the close reason for a close).</summary>
    public ReadOnlyMemory<byte> Payload { get; }

    /// <summary>The peer's close code, for <see cref="WebSocketMessageType.Close"/>.</summary>
    public CloseCode? CloseCode { get; }

    /// <summary>True for a text message.</summary>
    public bool IsText => Type == WebSocketMessageType.Text;

    /// <summary>Decodes the payload as a new string (allocates; use <see cref="Payload"/> on hot paths).</summary>
    public string GetText() => Encoding.UTF8.GetString(Payload.Span);

    /// <summary>A text message, for tests of handlers.</summary>
    public static WebSocketMessage Text(ReadOnlyMemory<byte> utf8) => new(WebSocketMessageType.Text, utf8);

    /// <summary>A binary message, for tests of handlers.</summary>
    public static WebSocketMessage Binary(ReadOnlyMemory<byte> data) => new(WebSocketMessageType.Binary, data);
}
