namespace WsServer.Redis;

/// <summary>How a <see cref="RedisBackplane"/> reaches Redis and names its channels.</summary>
public sealed class RedisBackplaneOptions
{
    /// <summary>The Redis server as <c>HOST:PORT</c> (<c>127.0.0.1:6379</c>, <c>redis.internal:6379</c>,
    /// <c>[::1]:6379</c>); checked when the backplane is created.</summary>
    public required string Address { get; init; }

    /// <summary>The first part of every channel name, so several applications can share one Redis;
    /// every node of one application must use the same prefix. <c>wsserver</c> by default.</summary>
    public string ChannelPrefix { get; init; } = "wsserver";

    /// <summary>This node's id, unique among the nodes sharing the Redis: the name of its own channel
    /// and the first half of its <see cref="ConnectionAddress"/>es. Random when null.</summary>
    public string? NodeId { get; init; }

    /// <summary>The clock of the envelope's timestamp and of the lag; the system's when null.</summary>
    public TimeProvider? TimeProvider { get; init; }
}
