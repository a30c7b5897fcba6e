using StackExchange.Redis;

namespace WsServer.Redis;

/// <summary>
/// The Redis channels this node listens to, each read in order through its own
/// <see cref="ChannelMessageQueue"/> (StackExchange.Redis runs plain handlers concurrently, which would
/// reorder a publisher's messages). Opened and closed in the order the caller decides; a subscribe still
/// in flight when its channel is closed (or reopened) is undone when it lands. Thread safety: every
/// member may be called from any thread.
/// </summary>
internal sealed class ChannelListeners(Func<ISubscriber> subscriber, Action<ChannelMessage> receive)
{
    private readonly Lock _gate = new();
    private readonly Dictionary<RedisChannel, Listener> _open = [];

    public int Count
    {
        get { lock (_gate) return _open.Count; }
    }

    /// <summary>Starts listening to <paramref name="channel"/>. The task completes when Redis confirmed the
    /// subscription, or when it could not be made now (Redis away: it is made when Redis is back).</summary>
    public Task Open(RedisChannel channel)
    {
        lock (_gate)
        {
            var listener = new Listener();
            _open[channel] = listener;
            return SubscribeAsync(channel, listener);
        }
    }

    /// <summary>Stops listening to <paramref name="channel"/>.</summary>
    public void Close(RedisChannel channel)
    {
        lock (_gate)
        {
            if (!_open.Remove(channel, out Listener? listener)) return;
            listener.Queue?.Unsubscribe(CommandFlags.FireAndForget);
        }
    }

    private async Task SubscribeAsync(RedisChannel channel, Listener listener)
    {
        ISubscriber redis = subscriber();
        // While Redis is away the subscription is only recorded, and made when it is back.
        CommandFlags flags = redis.Multiplexer.IsConnected ? CommandFlags.None : CommandFlags.FireAndForget;
        try
        {
            ChannelMessageQueue queue = await redis.SubscribeAsync(channel, flags).ConfigureAwait(false);
            Landed(channel, listener, queue);
        }
        catch (Exception e) when (e is RedisConnectionException or RedisTimeoutException)
        {
            // The queue was registered before the command failed, but not handed back: drop whatever the
            // channel has, and record it afresh (restored on reconnection) if it is still wanted.
            lock (_gate)
            {
                redis.Unsubscribe(channel, null, CommandFlags.FireAndForget);
                if (_open.TryGetValue(channel, out Listener? current))
                {
                    current.Queue = null;
                    _ = SubscribeAsync(channel, current);
                }
            }
        }
    }

    private void Landed(RedisChannel channel, Listener listener, ChannelMessageQueue queue)
    {
        lock (_gate)
        {
            if (!_open.TryGetValue(channel, out Listener? current) || current != listener || listener.Queue is not null)
            {
                queue.Unsubscribe(CommandFlags.FireAndForget); // closed, reopened or made twice while in flight
                return;
            }
            listener.Queue = queue;
        }
        queue.OnMessage(receive);
    }

    private sealed class Listener
    {
        public ChannelMessageQueue? Queue;
    }
}
