using WsServer.Connections;
using WsServer.Hosting;

namespace WsServer.Host.Cli;

/// <summary>The timeouts and limits that protect the server from slow, silent or greedy clients; each is
/// the <see cref="ServerOptions"/> property of the same name, with the same default.
/// <see cref="Timeout.InfiniteTimeSpan"/> is never.</summary>
public sealed record LimitSettings
{
    private static readonly ServerOptions Defaults = new();

    /// <summary><c>--handshake-timeout</c>: the time to open TLS and send the upgrade request.</summary>
    public TimeSpan HandshakeTimeout { get; init; } = Defaults.HandshakeTimeout;

    /// <summary><c>--idle-timeout</c>: a peer silent that long is closed with 1000.</summary>
    public TimeSpan IdleTimeout { get; init; } = Defaults.IdleTimeout;

    /// <summary><c>--keepalive</c>: a peer silent that long is pinged.</summary>
    public TimeSpan KeepAliveInterval { get; init; } = Defaults.KeepAliveInterval;

    /// <summary><c>--pong-timeout</c>: how long a ping waits for its pong.</summary>
    public TimeSpan PongTimeout { get; init; } = Defaults.PongTimeout;

    /// <summary><c>--close-timeout</c>: how long the closing handshake may take before TCP is cut.</summary>
    public TimeSpan CloseTimeout { get; init; } = Defaults.CloseTimeout;

    /// <summary><c>--drain-timeout</c>: how long a stop waits for connections to close.</summary>
    public TimeSpan DrainTimeout { get; init; } = Defaults.DrainTimeout;

    /// <summary><c>--send-queue-limit</c>: bytes queued to one connection before <see cref="SlowConsumer"/> applies.</summary>
    public long SendQueueLimit { get; init; } = Defaults.SendQueueLimit;

    /// <summary><c>--slow-consumer</c>: what a send over <see cref="SendQueueLimit"/> does.</summary>
    public SlowConsumerPolicy SlowConsumer { get; init; } = Defaults.SlowConsumer;

    /// <summary><c>--max-connections-per-ip</c>: open WebSocket connections from one address; 0 for no limit.</summary>
    public int MaxConnectionsPerIp { get; init; } = Defaults.MaxConnectionsPerIp;

    /// <summary><c>--max-connections</c>: open WebSocket connections in all; 0 for no limit.</summary>
    public int MaxConnections { get; init; } = Defaults.MaxConnections;

    /// <summary>Sets these on <paramref name="options"/>.</summary>
    public void ApplyTo(ServerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.HandshakeTimeout = HandshakeTimeout;
        options.IdleTimeout = IdleTimeout;
        options.KeepAliveInterval = KeepAliveInterval;
        options.PongTimeout = PongTimeout;
        options.CloseTimeout = CloseTimeout;
        options.DrainTimeout = DrainTimeout;
        options.SendQueueLimit = SendQueueLimit;
        options.SlowConsumer = SlowConsumer;
        options.MaxConnectionsPerIp = MaxConnectionsPerIp;
        options.MaxConnections = MaxConnections;
    }
}
