using System.Collections.Concurrent;

namespace WsServer.PubSub;

/// <summary>
/// The topics that keep history, on this server: each one's messages are delivered in position order,
/// under its own lock, and a subscriber that recovers a past is held apart (its live messages buffered)
/// until the past is replayed, so that it gets every message once, in order, with no gap at the seam.
/// Where the history is kept is the <see cref="Store"/>: <see cref="MemoryHistoryStore"/> unless a
/// backplane brings a shared one.
/// </summary>
internal sealed class TopicHistories
{
    private readonly ConcurrentDictionary<string, HistoryTopic> _topics = new(StringComparer.Ordinal);
    private readonly TopicRegistry _registry;
    private readonly MemoryHistoryStore _memory;
    private ITopicHistoryStore? _shared;

    public TopicHistories(TopicRegistry registry, TopicHistoryTable table, TimeProvider time)
    {
        Table = table;
        _registry = registry;
        _memory = new MemoryHistoryStore(this, time);
    }

    public TopicHistoryTable Table { get; }

    /// <summary>The store in use: a backplane's when it has one, else this process's memory.</summary>
    public ITopicHistoryStore Store => Volatile.Read(ref _shared) ?? _memory;

    public void UseShared(ITopicHistoryStore? store) => Volatile.Write(ref _shared, store);

    /// <summary>This server's state of <paramref name="topic"/>, made on first use.</summary>
    public HistoryTopic Topic(string topic) => _topics.GetOrAdd(topic, static _ => new HistoryTopic());

    /// <summary>Delivers a message whose position is known to this server's subscribers but
    /// <paramref name="exceptConnectionId"/>, and to the buffers of those recovering.</summary>
    public void Deliver(in TopicMessage message, TopicHistoryOptions options, long exceptConnectionId)
    {
        HistoryTopic topic = Topic(message.Topic);
        lock (topic.Gate)
        {
            topic.Latest = message.Position;
            PreparedMessage frame = options.Frame(message);
            Dictionary<ITopicSubscriber, List<(long, PreparedMessage)>>? recovering = topic.Recovering;
            foreach (ITopicSubscriber subscriber in _registry.Subscribers(message.Topic))
            {
                if (subscriber.Id == exceptConnectionId || topic.AlreadySent(subscriber, message.Position)) continue;
                if (recovering is not null && recovering.TryGetValue(subscriber, out List<(long, PreparedMessage)>? buffer))
                    buffer.Add((message.Position.Offset, frame));
                else
                    subscriber.Deliver(frame);
            }
        }
    }

    /// <summary>Subscribes <paramref name="connection"/> to <paramref name="topic"/> after replaying what it
    /// missed since <paramref name="since"/> (or the last <paramref name="last"/> messages).</summary>
    public async ValueTask<TopicRecovery> SubscribeAsync(ITopicSubscriber connection, string topic, TopicPosition? since, int last,
        CancellationToken cancellationToken)
    {
        TopicHistoryOptions options = Table.For(topic)
            ?? throw new InvalidOperationException($"Topic '{topic}' keeps no history: ServerOptions.History.Keep names the topics that do.");
        HistoryTopic state = Topic(topic);
        var buffer = new List<(long Offset, PreparedMessage Frame)>();
        lock (state.Gate) (state.Recovering ??= []).Add(connection, buffer);
        try
        {
            // Held apart from live delivery until the past is sent: what arrives meanwhile is buffered.
            if (!connection.Subscribe(topic, out Task ready)) return new TopicRecovery(false, 0, state.Latest);
            await ready.WaitAsync(cancellationToken).ConfigureAwait(false);
            TopicHistoryPage page = await Store.ReadAsync(topic, since, last, options, cancellationToken).ConfigureAwait(false);
            lock (state.Gate)
            {
                bool recovered = since is null || page.Complete;
                long sent = since is { } from && recovered ? from.Offset : 0;
                int replayed = 0;
                if (recovered)
                {
                    foreach (TopicMessage message in page.Messages)
                    {
                        if (message.Position.Offset <= sent) continue;
                        connection.Deliver(options.Frame(message));
                        sent = message.Position.Offset;
                        replayed++;
                    }
                }
                foreach ((long offset, PreparedMessage frame) in buffer)
                {
                    if (offset > sent) connection.Deliver(frame);
                }
                // In the same lock as the flush: no delivery can fall between the buffer and the live path.
                RemoveRecovering(state, connection);
                // A shared store's read can be ahead of this server's deliveries: what the replay sent may
                // still be on its way here, and must not be sent twice.
                if (recovered && sent > state.Latest.Offset && page.Latest.Epoch is { } epoch)
                    (state.Replayed ??= [])[connection] = new TopicPosition(sent, epoch);
                TopicPosition latest = state.Latest.Epoch == page.Latest.Epoch && state.Latest.Offset > page.Latest.Offset
                    ? state.Latest : page.Latest;
                return new TopicRecovery(recovered, replayed, latest);
            }
        }
        finally
        {
            lock (state.Gate) RemoveRecovering(state, connection);
        }
    }

    private static void RemoveRecovering(HistoryTopic state, ITopicSubscriber connection)
    {
        state.Recovering?.Remove(connection);
        if (state.Recovering is { Count: 0 }) state.Recovering = null;
    }
}

/// <summary>One topic's history state on this server. <see cref="Gate"/> orders its deliveries.</summary>
internal sealed class HistoryTopic
{
    public Lock Gate { get; } = new();

    /// <summary>The latest position delivered here.</summary>
    public TopicPosition Latest { get; set; }

    /// <summary>Subscribers replaying the past, and the live messages held for each meanwhile.</summary>
    public Dictionary<ITopicSubscriber, List<(long Offset, PreparedMessage Frame)>>? Recovering { get; set; }

    /// <summary>Subscribers whose replay went further than this server's deliveries had: the last position
    /// each was sent, until the deliveries catch up with it.</summary>
    public Dictionary<ITopicSubscriber, TopicPosition>? Replayed { get; set; }

    /// <summary>Whether <paramref name="subscriber"/> had <paramref name="position"/> in its replay; forgets
    /// the replay once the deliveries reach its end (or another epoch).</summary>
    public bool AlreadySent(ITopicSubscriber subscriber, TopicPosition position)
    {
        if (Replayed is null || !Replayed.TryGetValue(subscriber, out TopicPosition last)) return false;
        bool sent = last.Epoch == position.Epoch && position.Offset <= last.Offset;
        if (!sent || position.Offset == last.Offset)
        {
            Replayed.Remove(subscriber);
            if (Replayed.Count == 0) Replayed = null;
        }
        return sent;
    }

    // The memory store's part: the messages kept, oldest first, with when they were published.
    public Queue<(TopicMessage Message, long At)> Kept { get; } = new();

    public string Epoch { get; } = Guid.NewGuid().ToString("N")[..8];

    public long NextOffset { get; set; } = 1;
}
