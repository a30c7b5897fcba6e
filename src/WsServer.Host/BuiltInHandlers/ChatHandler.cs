using WsServer.Connections;
using WsServer.Handlers;

namespace WsServer.Host.BuiltInHandlers;

/// <summary>A chat room: every text message goes to every member of the room, the sender included.
/// The room is a topic named after the route's pattern, so with <c>--redis</c> the same route of every
/// process sharing the Redis is one room. A member whose send queue is full misses the message rather
/// than slowing the room.</summary>
internal sealed class ChatHandler(string topic, TopicRelay relay) : IWebSocketHandler
{
    public ValueTask InitAsync(WebSocketConnection connection, CancellationToken cancellationToken)
    {
        connection.Subscribe(topic);
        return ValueTask.CompletedTask;
    }

    public async ValueTask<HandleResult> HandleAsync(WebSocketMessage message, WebSocketConnection connection,
        CancellationToken cancellationToken)
    {
        if (message.IsText) await relay.PublishAsync(topic, message, connection, includeSender: true).ConfigureAwait(false);
        return HandleResult.NoReply();
    }
}
