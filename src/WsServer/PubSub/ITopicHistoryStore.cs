
namespace WsServer.PubSub;

/// <summary>
/// Where the history of topics lives: this process's memory by default, or a backplane's store shared by
/// every server (WsServer.Redis keeps it in Redis Streams), so that positions mean the same everywhere. A
/// backplane that implements this interface is the server's store once attached.
/// </summary>
public interface ITopicHistoryStore
{
    /// <summary>Gives <paramref name="message"/> the next position in <paramref name="topic"/>'s history and
    /// keeps it (within <paramref name="options"/>' bounds), then hands it with that position to
    /// <see cref="Hosting.WebSocketServer.DeliverTopicMessage"/> on every server sharing the store, in position
    /// order, skipping the connection <paramref name="exceptConnectionId"/> (0: none) of this server. Must
    /// return at once.</summary>
    void Append(string topic, PreparedMessage message, TopicHistoryOptions options, long exceptConnectionId);

    /// <summary>What <paramref name="topic"/>'s history holds after <paramref name="since"/> (its last
    /// <paramref name="last"/> messages when null), oldest first, and the topic's latest position.</summary>
    ValueTask<TopicHistoryPage> ReadAsync(string topic, TopicPosition? since, int last, TopicHistoryOptions options,
        CancellationToken cancellationToken);
}
