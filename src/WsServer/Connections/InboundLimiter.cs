using WsServer.Collections;

namespace WsServer.Connections;

/// <summary>A <see cref="MessageRateLimit"/>: a token bucket for messages and one for bytes, refilled by the server's
/// heartbeat once a second, on <see cref="Hosting.ServerOptions.TimeProvider"/>. A connection's own, in front of
/// the one it shares with the other connections from its address (<see cref="Shared"/>).</summary>
internal sealed class InboundLimiter
{
    private readonly TokenBucket? _messages;
    private readonly TokenBucket? _bytes;

    public InboundLimiter(MessageRateLimit limit, InboundLimiter? shared = null)
    {
        Shared = shared;
        Excess = limit.OnExcess;
        if (limit.MessagesPerSecond > 0)
            _messages = new TokenBucket(limit.MessagesPerSecond, limit.MessageBurst > 0 ? limit.MessageBurst : limit.MessagesPerSecond);
        if (limit.BytesPerSecond > 0)
            _bytes = new TokenBucket(limit.BytesPerSecond, limit.ByteBurst > 0 ? limit.ByteBurst : limit.BytesPerSecond);
    }

    public RateLimitExcess Excess { get; }

    /// <summary>The limit of every connection from the same address, checked after this one; null without one.</summary>
    public InboundLimiter? Shared { get; }

    /// <summary>Takes what one message (or part) costs from this limit and the shared one; null when both had it,
    /// else the limit found short, whose <see cref="Excess"/> applies and whose <see cref="TakeAsync"/> waits.</summary>
    public InboundLimiter? TryTakeAll(int messages, int bytes) =>
        !TryTake(messages, bytes) ? this
        : Shared is { } shared && !shared.TryTake(messages, bytes) ? shared
        : null;

    /// <summary>Takes <paramref name="messages"/> (1 for a message, 0 for a streamed message's later part) and
    /// <paramref name="bytes"/> now; false when a bucket is short (a message's token may then be spent: it is
    /// closed, or waited for, anyway).</summary>
    public bool TryTake(int messages, int bytes) =>
        (messages == 0 || _messages is null || _messages.TryTake(messages))
        && (bytes == 0 || _bytes is null || _bytes.TryTake(bytes));

    /// <summary>Waits until the buckets hold what <see cref="TryTake"/> found short, and takes it.</summary>
    public async ValueTask TakeAsync(int messages, int bytes, CancellationToken cancellationToken)
    {
        if (messages > 0 && _messages is not null) await _messages.TakeAsync(messages, cancellationToken).ConfigureAwait(false);
        if (bytes > 0 && _bytes is not null) await _bytes.TakeAsync(bytes, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>A second's tokens (the heartbeat's).</summary>
    public void Replenish()
    {
        _messages?.Refill();
        _bytes?.Refill();
    }
}
