using WsServer.Connections;
using WsServer.Handlers;
using WsServer.Redis;

namespace WsServer.Host.BuiltInHandlers;

/// <summary>How the built-in broadcast and chat publish to their topic: to this process's subscribers
/// alone, or, once <see cref="Backplane"/> is set (<c>--redis</c>), to every process sharing the Redis,
/// so several processes are one room. Set once, before or while serving; a publish made before it is
/// set stays local.</summary>
internal sealed class TopicRelay
{
    private volatile RedisBackplane? _backplane;

    /// <summary>The backplane to publish through; null for this process only.</summary>
    public RedisBackplane? Backplane
    {
        get => _backplane;
        set => _backplane = value;
    }

    /// <summary>Publishes a message (text or binary) to every subscriber of <paramref name="topic"/>,
    /// <paramref name="sender"/> included or not. Never waits for a slow subscriber; waits for Redis to
    /// take it when there is a backplane, so one sender's messages leave in order.</summary>
    public async ValueTask PublishAsync(string topic, bool isText, ReadOnlyMemory<byte> payload, WebSocketConnection sender,
        bool includeSender)
    {
        if (_backplane is { } backplane)
        {
            // The payload may be borrowed from the read buffer only until the handler's call completes.
            byte[] copy = payload.ToArray();
            WebSocketConnection? except = includeSender ? null : sender;
            await (isText ? backplane.PublishTextAsync(topic, copy, except) : backplane.PublishAsync(topic, copy, except))
                .ConfigureAwait(false);
            return;
        }
        PreparedMessage prepared = isText ? PreparedMessage.Text(payload.Span) : PreparedMessage.Binary(payload.Span);
        sender.Publish(topic, prepared);
        if (includeSender) sender.TrySend(prepared);
    }
}
