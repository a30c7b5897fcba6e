using WsServer.Connections;
using WsServer.Handlers;

namespace WsServer.Host.BuiltInHandlers;

/// <summary>Relays each message unchanged (text stays text, binary stays binary) to every other client of
/// its route: the plainest fan-out. Each route has a topic of its own, named after its pattern, so the
/// same route of every process sharing a Redis (<c>--redis</c>) is one room; the message is encoded
/// once for all its subscribers, and one that reads too slowly misses messages rather than delaying the rest.</summary>
internal sealed class BroadcastHandler(string topic, TopicRelay relay) : IWebSocketHandler
{
    public ValueTask InitAsync(WebSocketConnection connection, CancellationToken cancellationToken)
    {
        connection.Subscribe(topic);
        return ValueTask.CompletedTask;
    }

    public async ValueTask<HandleResult> HandleAsync(WebSocketMessage message, WebSocketConnection connection,
        CancellationToken cancellationToken)
    {
        await relay.PublishAsync(topic, message, connection, includeSender: false).ConfigureAwait(false);
        return HandleResult.NoReply();
    }
}
