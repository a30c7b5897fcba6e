using System.Net;
using WsServer.Handlers;
using WsServer.Protocol.Compression;
using WsServer.Protocol.Handshake;
using WsServer.Protocol.Session;
using WsServer.Routing;

namespace WsServer.Hosting;

/// <summary>How a <see cref="WebSocketServer"/> listens and serves (the seed's start options).</summary>
public sealed class ServerOptions
{
    /// <summary>The TCP port; 0 picks a free one (read it back from <see cref="WebSocketServer.LocalEndPoints"/>).</summary>
    public int Port { get; set; } = 8080;

    /// <summary>The address to bind: <see cref="IPAddress.Loopback"/> (the default),
    /// <see cref="IPAddress.Any"/>, <see cref="IPAddress.IPv6Any"/> (dual-stack), or one address.</summary>
    public IPAddress Address { get; set; } = IPAddress.Loopback;

    /// <summary>The most connections served at once (the seed's <c>number_of_workers</c>): a further
    /// connection waits in the listen backlog until one ends. Slots, not threads.</summary>
    public int Workers { get; set; } = 1024;

    /// <summary>The listen backlog, where connections beyond <see cref="Workers"/> wait.</summary>
    public int ListenBacklog { get; set; } = 512;

    /// <summary>The largest message accepted, in bytes, inclusive (default 1 MiB); larger ones close with 1009.</summary>
    public long MaxMessageSize { get; set; } = ProtocolOptions.DefaultMaxMessageSize;

    /// <summary>permessage-deflate (RFC 7692): on by default, with a 32 KiB window and messages under 64
    /// bytes sent plain; <see cref="PerMessageDeflateOptions.Disabled"/> turns it off. A route may override it.</summary>
    public PerMessageDeflateOptions Compression { get; set; } = PerMessageDeflateOptions.Default;

    /// <summary>Bytes that may wait in one connection's send queue before sends wait (default 1 MiB).</summary>
    public long SendQueueLimit { get; set; } = 1024 * 1024;

    /// <summary>Limits on the upgrade request.</summary>
    public HandshakeLimits HandshakeLimits { get; set; } = HandshakeLimits.Default;

    /// <summary>How long a client may take to send its upgrade request (default 10 s).</summary>
    public TimeSpan HandshakeTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How long to wait for the peer's close frame after sending ours (default 5 s).</summary>
    public TimeSpan CloseTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>After this long without a frame from the peer, the server pings it (default 30 s;
    /// <see cref="Timeout.InfiniteTimeSpan"/> turns keep-alive pings off).</summary>
    public TimeSpan KeepAliveInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>After this long without a frame from the peer (ping unanswered), the server closes the
    /// connection with 1000 (default 2 min; <see cref="Timeout.InfiniteTimeSpan"/> never). Checked once
    /// a second.</summary>
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>How long <see cref="WebSocketServer.StopAsync"/> waits for connections to close (default 10 s).</summary>
    public TimeSpan DrainTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>The clock for every timeout; tests inject a fake one.</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>The handlers by resource path.</summary>
    public RouteTable Routes { get; } = new();

    /// <summary>Serves every path with <paramref name="handler"/> (the seed's single handler module).</summary>
    public ServerOptions UseHandler<TState>(IWebSocketHandler<TState> handler, RouteOptions? options = null)
    {
        Routes.MapFallback(handler, options);
        return this;
    }

    internal void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfNegative(Port);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(Port, IPEndPoint.MaxPort);
        ArgumentOutOfRangeException.ThrowIfLessThan(Workers, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxMessageSize, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(SendQueueLimit, 1);
        ArgumentNullException.ThrowIfNull(Address);
        ArgumentNullException.ThrowIfNull(Compression);
        Compression.Validate();
        foreach (WebSocketRoute route in Routes.Routes) route.Options.Compression?.Validate();
        ArgumentNullException.ThrowIfNull(TimeProvider);
        if (!Routes.Routes.Any()) throw new InvalidOperationException("No handler: map a route or call UseHandler.");
    }
}
