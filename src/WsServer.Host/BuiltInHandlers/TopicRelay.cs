using System.Buffers;
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

    /// <summary>Publishes <paramref name="message"/> unchanged (text as text) to every subscriber of
    /// <paramref name="topic"/>, <paramref name="sender"/> included or not. Never waits for a slow
    /// subscriber; waits for Redis to take it when there is a backplane, so one sender's messages
    /// leave in order.</summary>
    public async ValueTask PublishAsync(string topic, WebSocketMessage message, WebSocketConnection sender, bool includeSender)
    {
        if (_backplane is { } backplane)
        {
            // The payload is borrowed until the handler's call completes, which waits for this.
            byte[] payload = message.Payload.ToArray();
            WebSocketConnection? except = includeSender ? null : sender;
            await (message.IsText ? backplane.PublishTextAsync(topic, payload, except) : backplane.PublishAsync(topic, payload, except))
                .ConfigureAwait(false);
            return;
        }
        PreparedMessage prepared = message.IsText ? PreparedMessage.Text(message.Payload.Span) : PreparedMessage.Binary(message.Payload.Span);
        sender.Publish(topic, prepared);
        if (includeSender) sender.TrySend(prepared);
    }
}
