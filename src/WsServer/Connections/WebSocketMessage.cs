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
/// so copy what must outlive it. A message that is streamed (<see cref="IsStreamed"/>) has no payload: it is
/// read as it arrives, through <see cref="Body"/> or <see cref="ReadPartsAsync"/>.</summary>
public readonly struct WebSocketMessage
{
    private readonly MessageBody? _body;

    internal WebSocketMessage(MessageType type, MessageBody body)
    {
        Type = type;
        _body = body;
    }

    internal WebSocketMessage(MessageType type, ReadOnlyMemory<byte> payload, CloseCode? closeCode = null,
        CloseInitiator? initiator = null)
    {
        Type = type;
        Payload = payload;
        CloseCode = closeCode;
        Initiator = initiator;
    }

    /// <summary>What kind of message this is.</summary>
    public MessageType Type { get; }

    /// <summary>The message bytes (UTF-8 for text; a ping's or pong's data; only the reason, in UTF-8,
    /// for a close: its status is <see cref="CloseCode"/>).</summary>
    public ReadOnlyMemory<byte> Payload { get; }

    /// <summary>The peer's close code, for <see cref="MessageType.Close"/>.</summary>
    public CloseCode? CloseCode { get; }

    /// <summary>Who started the close, for the close a <see cref="Client.WebSocketClient"/> returns:
    /// <see cref="CloseInitiator.Peer"/> when the server closed, <see cref="CloseInitiator.Local"/> when this client
    /// did (its close, or its answer to the server's violation), <see cref="CloseInitiator.Transport"/> when the
    /// connection ended without a closing handshake (1006). Null on the server, and for other messages.</summary>
    public CloseInitiator? Initiator { get; }

    /// <summary>True when the message is read as it arrives, through <see cref="Body"/> or
    /// <see cref="ReadPartsAsync"/>, rather than whole in <see cref="Payload"/> (which is then empty): on routes with
    /// <see cref="Routing.WebSocketRouteOptions.StreamMessages"/>, and in a client with
    /// <see cref="Client.WebSocketClientOptions.StreamMessages"/>.</summary>
    public bool IsStreamed => _body is not null;

    /// <summary>A streamed message as a read-only stream that ends with the message (UTF-8 for text, validated
    /// as it arrives). Read it asynchronously (<c>ReadAsync</c>, <c>CopyToAsync</c>); a blocking read throws
    /// <see cref="NotSupportedException"/>. A read throws <see cref="IOException"/> when the connection ends
    /// before the message does. On the server it is valid until the handler's call completes; what is left
    /// unread then is discarded.</summary>
    /// <exception cref="InvalidOperationException">The message is not streamed (<see cref="IsStreamed"/>).</exception>
    internal MessageBody StreamedBody =>
        _body ?? throw new InvalidOperationException("This message is not streamed: its bytes are in Payload.");

    /// <inheritdoc cref="StreamedBody"/>
    public Stream Body => StreamedBody;

    /// <summary>A streamed message as the parts it arrived in, each valid until the next is asked for; the
    /// sequence ends with the message. Shares its position with <see cref="Body"/>.</summary>
    /// <exception cref="InvalidOperationException">The message is not streamed (<see cref="IsStreamed"/>).</exception>
    public IAsyncEnumerable<ReadOnlyMemory<byte>> ReadPartsAsync(CancellationToken cancellationToken = default) =>
        StreamedBody.ReadPartsAsync(cancellationToken);

    /// <summary>True for a text message.</summary>
    public bool IsText => Type == MessageType.Text;

    /// <summary>Decodes the payload as a new string (allocates; use <see cref="Payload"/> on hot paths).</summary>
    public string GetText() => Encoding.UTF8.GetString(Payload.Span);

    /// <summary>A text message, for tests of handlers.</summary>
    public static WebSocketMessage Text(ReadOnlyMemory<byte> utf8) => new(MessageType.Text, utf8);

    /// <summary>A binary message, for tests of handlers.</summary>
    public static WebSocketMessage Binary(ReadOnlyMemory<byte> data) => new(MessageType.Binary, data);
}
