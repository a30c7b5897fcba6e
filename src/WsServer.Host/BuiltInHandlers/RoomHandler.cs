using WsServer.Connections;
using WsServer.Handlers;

namespace WsServer.Host.BuiltInHandlers;

/// <summary>
/// The built-in rooms: `broadcast` relays each message unchanged (text stays text, binary stays binary)
/// to every other client of its route; `chat` sends each text message to every member, the sender
/// included. A room is a topic named after the route's pattern, so with <c>--redis</c> the same route of
/// every process sharing the Redis is one room. The message is encoded once for all subscribers; one
/// that reads too slowly misses messages rather than delaying the rest.
/// </summary>
internal sealed class RoomHandler(string topic, TopicRelay relay, bool textOnly, bool includeSender) : IWebSocketHandler
{
    public static RoomHandler Broadcast(string? pattern, TopicRelay relay) =>
        new($"broadcast:{pattern ?? "*"}", relay, textOnly: false, includeSender: false);

    public static RoomHandler Chat(string? pattern, TopicRelay relay) =>
        new($"chat:{pattern ?? "*"}", relay, textOnly: true, includeSender: true);

    public ValueTask InitAsync(WebSocketConnection connection, CancellationToken cancellationToken)
    {
        connection.Subscribe(topic);
        return ValueTask.CompletedTask;
    }

    public async ValueTask<HandleResult> HandleAsync(WebSocketMessage message, WebSocketConnection connection,
        CancellationToken cancellationToken)
    {
        if (message.IsText || !textOnly) await relay.PublishAsync(topic, message, connection, includeSender).ConfigureAwait(false);
        return HandleResult.NoReply();
    }
}
