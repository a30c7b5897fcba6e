
namespace WsServer.PubSub;

/// <summary>History in this process's memory: positions are this server's own, and a restart starts every
/// topic on a new epoch. Bounded per topic by <see cref="TopicHistoryOptions"/>; a topic's history lives as
/// long as the server.</summary>
internal sealed class MemoryHistoryStore(TopicHistories histories, TimeProvider time) : ITopicHistoryStore
{
    public void Append(string topic, PreparedMessage message, TopicHistoryOptions options, long exceptConnectionId)
    {
        HistoryTopic state = histories.Topic(topic);
        lock (state.Gate)
        {
            // The payload is kept as the published message holds it: a PreparedMessage never changes.
            var kept = new TopicMessage(topic, new TopicPosition(state.NextOffset++, state.Epoch), message.Payload, message.IsText);
            state.Kept.Enqueue((kept, time.GetTimestamp()));
            Trim(state, options);
            histories.Deliver(kept, options, exceptConnectionId);
        }
    }

    public ValueTask<TopicHistoryPage> ReadAsync(string topic, TopicPosition? since, int last, TopicHistoryOptions options,
        CancellationToken cancellationToken)
    {
        HistoryTopic state = histories.Topic(topic);
        lock (state.Gate)
        {
            Trim(state, options);
            var latest = new TopicPosition(state.NextOffset - 1, state.Epoch);
            TopicMessage[] kept = [.. state.Kept.Select(k => k.Message)];
            if (since is not { } from)
                return new(new TopicHistoryPage(kept[Math.Max(0, kept.Length - last)..], latest, Complete: true));
            long oldest = kept.Length > 0 ? kept[0].Position.Offset : state.NextOffset;
            bool complete = from.Epoch == state.Epoch && from.Offset >= oldest - 1 && from.Offset <= latest.Offset;
            return new(new TopicHistoryPage(complete ? [.. kept.Where(m => m.Position.Offset > from.Offset)] : [], latest, complete));
        }
    }

    private void Trim(HistoryTopic state, TopicHistoryOptions options)
    {
        while (state.Kept.Count > options.MaxMessages) state.Kept.Dequeue();
        if (options.MaxAge is not { } age) return;
        while (state.Kept.TryPeek(out (TopicMessage, long At) oldest) && time.GetElapsedTime(oldest.At) > age) state.Kept.Dequeue();
    }
}
