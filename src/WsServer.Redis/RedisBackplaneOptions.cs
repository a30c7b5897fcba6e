using StackExchange.Redis;

namespace WsServer.Redis;

/// <summary>How a <see cref="RedisBackplane"/> reaches Redis, names its channels and bounds what waits
/// for Redis. A record, so that options can be derived from others with <c>with</c>.</summary>
public sealed record RedisBackplaneOptions
{
    /// <summary>The Redis to use: a StackExchange.Redis configuration string
    /// (<c>redis.internal:6379,password=...,user=app,ssl=true,sslHost=redis.internal</c>; several endpoints
    /// for a cluster; <c>serviceName=mymaster</c> for Sentinel) or a URL (<c>redis://user:password@host:6379/0</c>,
    /// <c>rediss://...</c> for TLS). Checked when the backplane is created. Give this or <see cref="Connection"/>.</summary>
    public string? Configuration { get; init; }

    /// <summary>A connection the application already has (and keeps: the backplane does not close it),
    /// instead of <see cref="Configuration"/>.</summary>
    public IConnectionMultiplexer? Connection { get; init; }

    /// <summary>Adjusts the StackExchange.Redis options made from <see cref="Configuration"/> before connecting:
    /// what a configuration string cannot say, such as a private CA to trust
    /// (<c>o => o.TrustIssuer("ca.pem")</c>) or a client certificate.</summary>
    public Action<ConfigurationOptions>? ConfigureConnection { get; init; }

    /// <summary>The first part of every channel name, so several applications can share one Redis;
    /// every node of one application must use the same prefix. <c>wsserver</c> by default.</summary>
    public string ChannelPrefix { get; init; } = "wsserver";

    /// <summary>This node's id, unique among the nodes sharing the Redis: the name of its own channel
    /// and the first half of its <see cref="ConnectionAddress"/>es. Random when null.</summary>
    public string? NodeId { get; init; }

    /// <summary>The most messages that wait for Redis while it is slow or away; a publish past it is
    /// dropped (and counted) for the other nodes, never for this node's subscribers. 10,000 by default.</summary>
    public int MaxQueuedMessages { get; init; } = 10_000;

    /// <summary>The most payload bytes that wait for Redis, as <see cref="MaxQueuedMessages"/>;
    /// 16 MiB by default.</summary>
    public long MaxQueuedBytes { get; init; } = 16 * 1024 * 1024;

    /// <summary>Whether topics and sends travel on sharded channels (<c>SSUBSCRIBE</c>/<c>SPUBLISH</c>, Redis 7):
    /// null (the default) decides at the start, sharded on a Redis Cluster. Every node of one application
    /// must agree, so set it when a node may start while the cluster is unreachable.</summary>
    public bool? ShardedPubSub { get; init; }

    /// <summary>How soon a node that stops (crashes, or loses Redis) leaves every topic's presence: its
    /// heartbeat in Redis expires after this long and is renewed three times as often. 30 s by default.</summary>
    public TimeSpan PresenceTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>The clock of the envelope's timestamp and of the lag; the system's when null.</summary>
    public TimeProvider? TimeProvider { get; init; }
}
