using System.Collections.Concurrent;
using WsServer.Transport;

namespace WsServer.PubSub;

/// <summary>
/// One server's topics: who subscribes to what, and the backplane that joins them to other servers'.
/// A publish reads a topic's subscribers as one array, without a lock, and hands each the same encoded
/// frame; subscribing and unsubscribing (rare next to publishing) swap that array under a lock. A topic
/// with no subscriber is removed, so an empty topic costs nothing. The backplane hears of a topic's first
/// and last subscriber under the same lock, so it sees them in the order they happened.
/// </summary>
internal sealed class TopicRegistry
{
    private readonly Lock _gate = new();
    private readonly ConcurrentDictionary<string, Topic> _topics = new(StringComparer.Ordinal);
    private ITopicBackplane? _backplane;

    public TopicRegistry(TopicHistoryTable history, TimeProvider time) => Histories = new TopicHistories(this, history, time);

    /// <summary>The topics that keep history, and where it is kept.</summary>
    public TopicHistories Histories { get; }

    /// <summary>Who is in which topic's presence, and who watches it.</summary>
    public TopicPresence Presence { get; } = new();

    /// <summary>The number of topics with at least one subscriber.</summary>
    public int Count => _topics.Count;

    /// <summary>False while the attached backplane, if any, says it is away.</summary>
    public bool BackplaneAvailable => Volatile.Read(ref _backplane)?.IsAvailable ?? true;

    /// <summary>Joins these topics to other servers' through <paramref name="backplane"/>: it hears of
    /// every topic that has subscribers now, then of every change.</summary>

    public void Attach(ITopicBackplane backplane)
    {
        lock (_gate)
        {
            if (_backplane is not null) throw new InvalidOperationException("The server already has a backplane.");
            foreach ((string name, Topic topic) in _topics) _topics[name] = topic with { Ready = backplane.TopicOpened(name) };
            Volatile.Write(ref _backplane, backplane);
            Histories.UseShared(backplane as ITopicHistoryStore);
            Presence.UseShared(backplane as IPresenceStore);
        }
    }

    /// <summary>Takes <paramref name="backplane"/> away; publishes stay on this server from then on.</summary>
    public void Detach(ITopicBackplane backplane)
    {
        lock (_gate)
        {
            if (_backplane != backplane) return;
            Volatile.Write(ref _backplane, null);
            Histories.UseShared(null);
            Presence.UseShared(null);
            foreach (string name in _topics.Keys) backplane.TopicClosed(name);
        }
    }

    /// <summary>The subscribers of <paramref name="topic"/> on this server now; empty when none.</summary>
    public ReadOnlySpan<ITopicSubscriber> Subscribers(string topic) =>
        _topics.TryGetValue(topic, out Topic? known) ? known.Subscribers : [];

    /// <summary>Queues <paramref name="message"/> to every subscriber of <paramref name="topic"/> but
    /// <paramref name="except"/>, here and, through the backplane, on every other server; never waits
    /// (a full queue meets its policy). Returns how many took it here. A topic that keeps history goes
    /// through its store, which gives the message its position first: then the count is of this
    /// server's subscribers it goes to.</summary>
    public int Publish(string topic, PreparedMessage message, ITopicSubscriber? except)
    {
        if (Histories.Table.For(topic) is { } history)
        {
            Histories.Store.Append(topic, message, history, except?.Id ?? 0);
            ReadOnlySpan<ITopicSubscriber> subscribers = Subscribers(topic);
            return subscribers.Length - (except is not null && subscribers.Contains(except) ? 1 : 0);
        }
        int queued = PublishLocal(topic, message, except);
        Volatile.Read(ref _backplane)?.Relay(topic, message);
        return queued;
    }

    /// <summary>As <see cref="Publish"/>, to this server's subscribers only.</summary>
    public int PublishLocal(string topic, PreparedMessage message, ITopicSubscriber? except)
    {
        int queued = 0;
        using WriteStarts.Scope starts = WriteStarts.Batch();
        foreach (ITopicSubscriber subscriber in Subscribers(topic))
        {
            if (subscriber != except && subscriber.Deliver(message)) queued++;
        }
        return queued;
    }

    /// <summary>False when <paramref name="connection"/> already subscribed. <paramref name="ready"/>
    /// completes when what other servers publish to the topic reaches this one.</summary>
    public bool Subscribe(string topic, ITopicSubscriber connection, out Task ready)
    {
        lock (_gate)
        {
            if (!_topics.TryGetValue(topic, out Topic? known))
            {
                known = new Topic([], _backplane?.TopicOpened(topic) ?? Task.CompletedTask);
            }
            ready = known.Ready;
            if (Array.IndexOf(known.Subscribers, connection) >= 0) return false;
            _topics[topic] = known with { Subscribers = [.. known.Subscribers, connection] };
            return true;
        }
    }

    /// <summary>False when <paramref name="connection"/> was not subscribed.</summary>
    public bool Unsubscribe(string topic, ITopicSubscriber connection)
    {
        lock (_gate)
        {
            if (!_topics.TryGetValue(topic, out Topic? known)) return false;
            ITopicSubscriber[] subscribers = known.Subscribers;
            int index = Array.IndexOf(subscribers, connection);
            if (index < 0) return false;
            if (subscribers.Length == 1)
            {
                _topics.TryRemove(topic, out _);
                _backplane?.TopicClosed(topic);
            }
            else
            {
                _topics[topic] = known with { Subscribers = [.. subscribers[..index], .. subscribers[(index + 1)..]] };
            }
            return true;
        }
    }

    // Ready: the backplane's word that other servers' messages to this topic reach this one.
    private sealed record Topic(ITopicSubscriber[] Subscribers, Task Ready);
}
