using System.Collections.Concurrent;
using StackExchange.Redis;

namespace WsServer.Redis;

/// <summary>One message on its way to Redis: the channel and the envelope (encoded by the pump, so a
/// publish costs its caller no copy); for a topic that keeps history, its options (appended, not published).</summary>
internal readonly record struct Outgoing(RedisChannel Channel, Envelope Envelope, WsServer.PubSub.TopicHistoryOptions? History = null);

/// <summary>
/// The messages waiting for Redis, oldest first, bounded in count and payload bytes: a publisher adds
/// without ever waiting (an addition past a bound is refused, and the caller counts it dropped); one pump
/// takes them in order. Refusing the newest rather than evicting the oldest keeps each publisher's
/// delivered messages a prefix-ordered sequence with no reordering.
/// </summary>
internal sealed class RelayQueue(int maxMessages, long maxBytes)
{
    private readonly ConcurrentQueue<Outgoing> _items = new();
    private readonly SemaphoreSlim _available = new(0);
    private int _count;
    private long _bytes;

    public int Count => Volatile.Read(ref _count);

    public long Bytes => Interlocked.Read(ref _bytes);

    /// <summary>False when the queue is full: the message is not taken.</summary>
    public bool TryAdd(Outgoing item)
    {
        int size = item.Envelope.Payload.Length;
        if (Interlocked.Increment(ref _count) > maxMessages)
        {
            Interlocked.Decrement(ref _count);
            return false;
        }
        if (Interlocked.Add(ref _bytes, size) > maxBytes && size > 0)
        {
            Interlocked.Add(ref _bytes, -size);
            Interlocked.Decrement(ref _count);
            return false;
        }
        _items.Enqueue(item);
        _available.Release();
        return true;
    }

    /// <summary>Waits for at least one message, then moves up to <paramref name="max"/> into
    /// <paramref name="batch"/>, oldest first.</summary>
    public async ValueTask TakeAsync(List<Outgoing> batch, int max, CancellationToken cancellationToken)
    {
        await _available.WaitAsync(cancellationToken).ConfigureAwait(false);
        Take(batch);
        while (batch.Count < max && _available.Wait(0)) Take(batch);
    }

    private void Take(List<Outgoing> batch)
    {
        // A release always follows its enqueue, so a counted message is there to take.
        _items.TryDequeue(out Outgoing item);
        Interlocked.Decrement(ref _count);
        Interlocked.Add(ref _bytes, -item.Envelope.Payload.Length);
        batch.Add(item);
    }
}
