namespace WsServer.Connections;

/// <summary>How fast one connection may send: data messages and payload bytes per second, each a token bucket
/// that holds up to its burst, refilled once a second by the server's heartbeat. A zero rate is no limit.</summary>
public sealed record MessageRateLimit
{
    /// <summary>Data messages per second; 0 for no limit.</summary>
    public int MessagesPerSecond { get; init; }

    /// <summary>The most messages at once, after a quiet spell; 0 for <see cref="MessagesPerSecond"/>.</summary>
    public int MessageBurst { get; init; }

    /// <summary>Payload bytes per second; 0 for no limit. A message larger than the burst passes when the bucket
    /// is full, and empties it.</summary>
    public int BytesPerSecond { get; init; }

    /// <summary>The most bytes at once; 0 for <see cref="BytesPerSecond"/>.</summary>
    public int ByteBurst { get; init; }

    /// <summary>What a message over the limit meets: <see cref="RateLimitExcess.Close"/> (1008, the default) or
    /// <see cref="RateLimitExcess.Pause"/> (the server stops reading the connection until the bucket refills).</summary>
    public RateLimitExcess OnExcess { get; init; } = RateLimitExcess.Close;

    internal void Validate(string owner)
    {
        if (MessagesPerSecond < 0 || MessageBurst < 0 || BytesPerSecond < 0 || ByteBurst < 0)
            throw new ArgumentOutOfRangeException(owner, $"{owner}: rates and bursts are 0 (none) or more.");
        if (!Enum.IsDefined(OnExcess)) throw new ArgumentOutOfRangeException(owner, $"{owner}.OnExcess is not a policy.");
    }
}

/// <summary>What a message over a connection's <see cref="MessageRateLimit"/> meets.</summary>
public enum RateLimitExcess
{
    /// <summary>The connection is closed with 1008 (policy violation); the message is dropped.</summary>
    Close,

    /// <summary>The message waits, and the server reads nothing more from the connection, until the bucket refills:
    /// TCP slows the sender down.</summary>
    Pause,
}
