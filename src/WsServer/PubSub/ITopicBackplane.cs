
namespace WsServer.PubSub;

/// <summary>
/// What joins one server's topics to other servers' (a scale-out backplane, such as WsServer.Redis's):
/// it is told when this server starts and stops needing a topic, so that traffic flows only where there
/// are subscribers, and it is given every publish made here to carry to the others. It hands what other
/// servers publish to <see cref="Hosting.WebSocketServer.PublishLocal"/>.
/// </summary>
/// <remarks><see cref="TopicOpened"/> and <see cref="TopicClosed"/> are called in the order the topic
/// gained and lost its subscribers, under the server's topic lock: they must return at once (start the
/// work, don't wait for it) and must not subscribe or unsubscribe.</remarks>
public interface ITopicBackplane
{
    /// <summary>The first subscriber to <paramref name="topic"/> on this server arrived. Returns a task that
    /// completes when messages published elsewhere from now on reach this server; a subscriber awaiting
    /// <see cref="Connections.WebSocketConnection.SubscribeAsync(string, CancellationToken)"/> waits for it.</summary>
    Task TopicOpened(string topic);

    /// <summary>The last subscriber to <paramref name="topic"/> on this server left.</summary>
    void TopicClosed(string topic);

    /// <summary>A message published on this server, to carry to the other servers' subscribers; must
    /// return at once, whatever the backplane's state.</summary>
    void Relay(string topic, PreparedMessage message);

    /// <summary>False while the backplane cannot carry messages (its connection is away): the server's readiness
    /// probe (<see cref="Hosting.ServerOptions.ReadinessPath"/>) then answers 503. True unless a backplane says otherwise.</summary>
    bool IsAvailable => true;
}
