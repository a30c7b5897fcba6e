using System.Collections.Concurrent;
using WsServer.Connections;

namespace WsServer.PubSub;

/// <summary>
/// One server's topics: who subscribes to what. A publish reads a topic's subscribers as one array,
/// without a lock, and hands each the same encoded frame; subscribing and unsubscribing (rare next to
/// publishing) swap that array under a lock. A topic with no subscriber is removed, so an empty topic
/// costs nothing.
/// </summary>
internal sealed class TopicRegistry
{
    private readonly Lock _gate = new();
    private readonly ConcurrentDictionary<string, WebSocketConnection[]> _topics = new(StringComparer.Ordinal);

    /// <summary>The number of topics with at least one subscriber.</summary>
    public int Count => _topics.Count;

    /// <summary>The subscribers of <paramref name="topic"/> now; empty when none.</summary>
    public ReadOnlySpan<WebSocketConnection> Subscribers(string topic) =>
        _topics.TryGetValue(topic, out WebSocketConnection[]? subscribers) ? subscribers : [];

    /// <summary>Queues <paramref name="message"/> to every subscriber of <paramref name="topic"/> but
    /// <paramref name="except"/>; never waits (a full queue meets its policy). Returns how many took it.</summary>
    public int Publish(string topic, PreparedMessage message, WebSocketConnection? except)
    {
        int queued = 0;
        foreach (WebSocketConnection subscriber in Subscribers(topic))
        {
            if (subscriber != except && subscriber.TrySend(message) == SendStatus.Queued) queued++;
        }
        return queued;
    }

    /// <summary>False when <paramref name="connection"/> already subscribed.</summary>
    public bool Subscribe(string topic, WebSocketConnection connection)
    {
        lock (_gate)
        {
            WebSocketConnection[] subscribers = _topics.GetValueOrDefault(topic, []);
            if (Array.IndexOf(subscribers, connection) >= 0) return false;
            _topics[topic] = [.. subscribers, connection];
            return true;
        }
    }

    /// <summary>False when <paramref name="connection"/> was not subscribed.</summary>
    public bool Unsubscribe(string topic, WebSocketConnection connection)
    {
        lock (_gate)
        {
            if (!_topics.TryGetValue(topic, out WebSocketConnection[]? subscribers)) return false;
            int index = Array.IndexOf(subscribers, connection);
            if (index < 0) return false;
            if (subscribers.Length == 1) _topics.TryRemove(topic, out _);
            else _topics[topic] = [.. subscribers[..index], .. subscribers[(index + 1)..]];
            return true;
        }
    }
}
