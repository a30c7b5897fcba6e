using WsServer.Connections;
using WsServer.Handlers;

namespace WsServer.Host.BuiltInHandlers;

/// <summary>Relays each message unchanged (text stays text, binary stays binary) to every other client of
/// its route: the plainest fan-out. Each route's handler has a topic of its own; the message is encoded
/// once for all its subscribers, and one that reads too slowly misses messages rather than delaying the rest.</summary>
internal sealed class BroadcastHandler : IWebSocketHandler
{
    private readonly string _topic = $"broadcast:{Guid.NewGuid():N}";

    public ValueTask InitAsync(WebSocketConnection connection, CancellationToken cancellationToken)
    {
        connection.Subscribe(_topic);
        return ValueTask.CompletedTask;
    }

    public ValueTask<HandleResult> HandleAsync(WebSocketMessage message, WebSocketConnection connection,
        CancellationToken cancellationToken)
    {
        // The payload is borrowed until this call returns; the prepared frame is a copy.
        PreparedMessage relayed = message.IsText ? PreparedMessage.Text(message.Payload.Span) : PreparedMessage.Binary(message.Payload.Span);
        connection.Publish(_topic, relayed);
        return new(HandleResult.NoReply());
    }
}
