using WsServer.Connections;
using WsServer.PubSub;

namespace WsServer.Host.BuiltInHandlers;

/// <summary>
/// The built-in broadcast: each message is relayed unchanged (text stays text, binary stays binary) to
/// every other client of its route. The room is a topic named after the route's pattern
/// (<c>broadcast:/room</c>, <c>broadcast:*</c> for the fallback), so with <c>--redis</c> the same route of
/// every process is one room. The message is encoded once for all; a client that reads too slowly misses
/// messages rather than delaying the rest.
/// </summary>
internal sealed class BroadcastHandler(string? pattern) : IWebSocketHandler<WebSocketConnection>
{
    private readonly string _topic = $"broadcast:{pattern ?? "*"}";

    /// <summary>Joins the room; with a backplane, once every process's messages to it reach this one.</summary>
    public async ValueTask<WebSocketConnection> InitAsync(WebSocketConnection connection, CancellationToken cancellationToken)
    {
        await connection.SubscribeAsync(_topic, cancellationToken).ConfigureAwait(false);
        return connection;
    }

    /// <summary>Publishes through the server, so with a backplane every process's clients get it too;
    /// never waits, for Redis or for a slow client.</summary>
    public ValueTask<HandleResult<WebSocketConnection>> HandleAsync(WebSocketMessage message, WebSocketConnection connection,
        CancellationToken cancellationToken)
    {
        connection.Publish(_topic, message.IsText ? PreparedMessage.Text(message.Payload.Span) : PreparedMessage.Binary(message.Payload.Span));
        return new(HandleResult.NoReply(connection));
    }
}
