using System.Net;
using WsServer.Connections;
using WsServer.Protocol.Compression;
using WsServer.Protocol.Handshake;
using WsServer.Protocol.Session;
using WsServer.Routing;
using WsServer.Transport;

using WsServer.PubSub;

namespace WsServer.Hosting;

/// <summary>How a <see cref="WebSocketServer"/> listens and serves (the seed's start options).</summary>
public sealed class ServerOptions
{
    /// <summary>The TCP port; 0 picks a free one (read it back from <see cref="WebSocketServer.LocalEndPoints"/>).</summary>
    public int Port { get; set; } = 8080;

    /// <summary>The address to bind: <see cref="IPAddress.Loopback"/> (the default),
    /// <see cref="IPAddress.Any"/>, <see cref="IPAddress.IPv6Any"/> (dual-stack), or one address.</summary>
    public IPAddress Address { get; set; } = IPAddress.Loopback;

    /// <summary>TLS (wss://) for the default listener (<see cref="Address"/>, <see cref="Port"/>); null for plain ws://.</summary>
    public TlsOptions? Tls { get; set; }

    /// <summary>Expect a PROXY protocol header on the default listener (see <see cref="ListenerOptions.ProxyProtocol"/>).</summary>
    public bool ProxyProtocol { get; set; }

    /// <summary>Where to listen, each with its own transport. When empty (the default), the server
    /// listens once on <see cref="Address"/> and <see cref="Port"/> with <see cref="Tls"/> and
    /// <see cref="ProxyProtocol"/>; when not, only on these.</summary>
    public IList<ListenerOptions> Listeners { get; } = [];

    /// <summary>The most connections served at once (the seed's <c>number_of_workers</c>): a further
    /// connection waits in the listen backlog until one ends. Slots, not threads.</summary>
    public int Workers { get; set; } = 1024;

    /// <summary>Serve plain-TCP connections (not TLS, not PROXY) on WsServer's own epoll loops, one per
    /// processor, instead of .NET's socket engine: fewer system calls per message and less memory per
    /// connection. On by default where it runs (Linux on x86-64); ignored elsewhere.</summary>
    public bool EpollTransport { get; set; } = true;

    /// <summary>Run each connection's reads, handler calls and writes on the epoll loop's thread that saw
    /// its socket ready, instead of handing each to the thread pool (default false): no thread switch per
    /// message, but a handler that blocks stalls every connection on that loop. For handlers that never
    /// block. Applies to <see cref="EpollTransport"/> connections; their listener's loop then also reads and
    /// answers each new connection's upgrade, and calls the handler's init, on the thread that accepted it.</summary>
    public bool InlineIo { get; set; }

    /// <summary>The listen backlog, where connections beyond <see cref="Workers"/> wait.</summary>
    public int ListenBacklog { get; set; } = 512;

    /// <summary>The largest message accepted, in bytes, inclusive (default 1 MiB); larger ones close with 1009.</summary>
    public long MaxMessageSize { get; set; } = ProtocolOptions.DefaultMaxMessageSize;

    /// <summary>The most frames one incoming data message may come in (default 1,048,576: a 16 MiB message in 16-byte
    /// frames); the next fails the connection with 1009. It bounds a message kept open with empty continuation
    /// frames, which make no progress toward <see cref="MaxMessageSize"/>.</summary>
    public int MaxFragmentsPerMessage { get; set; } = ProtocolOptions.DefaultMaxFragmentsPerMessage;

    /// <summary>Bytes that may wait in one connection's send queue before <see cref="SlowConsumer"/>
    /// applies (default 1 MiB).</summary>
    public long SendQueueLimit { get; set; } = 1024 * 1024;

    /// <summary>What a send does when the connection's queue is over <see cref="SendQueueLimit"/>
    /// (default <see cref="SlowConsumerPolicy.Wait"/>); a route may override it. Broadcasts never wait.</summary>
    public SlowConsumerPolicy SlowConsumer { get; set; } = SlowConsumerPolicy.Wait;

    /// <summary>permessage-deflate (RFC 7692): on by default, with a 32 KiB window and messages under 64
    /// bytes sent plain; <see cref="PerMessageDeflateOptions.Disabled"/> turns it off. A route may override it.</summary>
    public PerMessageDeflateOptions Compression { get; set; } = PerMessageDeflateOptions.Default;

    /// <summary>Whether the permessage-deflate codec can run in this process
    /// (<see cref="PerMessageDeflateNegotiator.IsSupported"/>: the system zlib was found). When false every
    /// offer is declined and the start logs it once. Tests set it false to take a zlib-less machine's path.</summary>
    internal bool CompressionSupported { get; set; } = PerMessageDeflateNegotiator.IsSupported;

    /// <summary>Whether the server or any route would negotiate permessage-deflate.</summary>
    internal bool CompressionWanted => Compression.Enabled || Routes.Routes.Any(r => r.Options.Compression?.Enabled == true);

    /// <summary>Limits on the upgrade request.</summary>
    public HandshakeLimits HandshakeLimits { get; set; } = HandshakeLimits.Default;

    /// <summary>How long a client may take to send its upgrade request (default 10 s).</summary>
    public TimeSpan HandshakeTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How long to wait for the peer's close frame after sending ours (default 5 s).</summary>
    public TimeSpan CloseTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>After this long without a frame from the peer, the server pings it (default 30 s;
    /// <see cref="TimeSpan.Zero"/> or <see cref="Timeout.InfiniteTimeSpan"/> turns keep-alive pings off).</summary>
    public TimeSpan KeepAliveInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long a keep-alive ping (or <c>PingAsync</c>) waits for its pong before the peer is
    /// taken for gone: the connection is closed with 1011 (default 15 s; <see cref="TimeSpan.Zero"/> or
    /// <see cref="Timeout.InfiniteTimeSpan"/> waits for ever). Detects a half-open TCP connection.</summary>
    public TimeSpan PongTimeout { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>After this long without a frame from the peer (ping unanswered), the server closes the
    /// connection with 1000 (default 2 min; <see cref="TimeSpan.Zero"/> or <see cref="Timeout.InfiniteTimeSpan"/>
    /// never). Checked once
    /// a second.</summary>
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>How long <see cref="WebSocketServer.StopAsync(CancellationToken)"/> waits for connections to close (default 10 s).</summary>
    public TimeSpan DrainTimeout { get; set; } = TimeSpan.FromSeconds(10);

    // Connection limits, counted at registration, before the 101 (see ServerContext.TryRegister).

    /// <summary>The most open WebSocket connections, server-wide; a further upgrade is answered 503 with
    /// <c>Retry-After</c> before the 101. 0 (the default) for no limit but <see cref="Workers"/>, which
    /// counts accepted sockets (upgraded or not) and makes them wait in the backlog instead.</summary>
    public int MaxConnections { get; set; }

    /// <summary>The most open WebSocket connections from one remote IP address (the PROXY header's when
    /// the listener takes one; an IPv4-mapped IPv6 address counts as its IPv4 address); a further upgrade
    /// is answered 503 with <c>Retry-After</c> before the 101. 0 (the default) for no limit: behind a
    /// proxy without the PROXY protocol, or a carrier-grade NAT, every client shares one address, and a
    /// default limit would refuse them all.</summary>
    public int MaxConnectionsPerIp { get; set; }

    /// <summary>How fast each connection may send (messages and bytes per second, with a burst), and what a message
    /// over it meets; null (the default) for no limit. A route's <see cref="WebSocketRouteOptions.RateLimit"/> wins.</summary>
    public MessageRateLimit? RateLimit { get; set; }

    /// <summary>How fast all the connections from one remote address (the PROXY header's when the listener takes
    /// one) may send together, and what a message over it meets; null (the default) for no limit. Checked after each
    /// connection's own <see cref="RateLimit"/>.</summary>
    public MessageRateLimit? RateLimitPerIp { get; set; }

    /// <summary>New WebSocket connections a second from one remote address (the PROXY header's when the listener
    /// takes one), with as many at once after a quiet spell; more are answered 429 with <c>Retry-After: 1</c> before
    /// the upgrade. 0 (the default) for no limit.</summary>
    public int ConnectionsPerSecondPerIp { get; set; }

    /// <summary>The most sockets the file descriptor limit leaves room for (null for no such cap):
    /// accepting stops there, whatever <see cref="Workers"/> says. Tests inject a cap.</summary>
    internal Func<int?> DescriptorCap { get; set; } = DescriptorLimit.SocketCap;

    private void ValidateConnectionLimits()
    {
        AtLeast(MaxConnections, 0, nameof(MaxConnections));
        AtLeast(ConnectionsPerSecondPerIp, 0, nameof(ConnectionsPerSecondPerIp));
        RateLimit?.Validate($"ServerOptions.{nameof(RateLimit)}");
        RateLimitPerIp?.Validate($"ServerOptions.{nameof(RateLimitPerIp)}");
        AtLeast(MaxConnectionsPerIp, 0, nameof(MaxConnectionsPerIp));
    }

    /// <summary>A path whose plain GET is answered 200 <c>ok</c> while the server runs (a liveness probe for a load
    /// balancer or Kubernetes, on the WebSocket port); null (the default) for none.</summary>
    public string? HealthPath { get; set; }

    /// <summary>A path whose plain GET is answered 200 <c>ready</c> while the server takes connections, and 503
    /// once it stops (draining) or while its backplane is away (<see cref="PubSub.ITopicBackplane.IsAvailable"/>):
    /// a readiness probe, so a balancer sends new clients elsewhere; null (the default) for none.</summary>
    public string? ReadinessPath { get; set; }

    /// <summary>A span per message handed to a handler, a child of its connection's upgrade span, on
    /// <see cref="Diagnostics.ServerTracing.SourceName"/>; off by default, as a span per message costs. The upgrade's own
    /// span is always made when something listens.</summary>
    public bool TraceHandlerCalls { get; set; }

    /// <summary>The clock for every timeout; tests inject a fake one.</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>The handlers by resource path.</summary>
    public RouteTable Routes { get; } = new();

    /// <summary>The topics that keep history (their last messages, to replay to a subscriber that comes
    /// back or joins late): none unless named here.</summary>
    public TopicHistoryTable History { get; } = new();

    /// <summary>Serves every path with <paramref name="handler"/> (the seed's single handler module).</summary>
    public ServerOptions UseHandler<TState>(IWebSocketHandler<TState> handler, WebSocketRouteOptions? options = null)
    {
        Routes.MapFallback(handler, options);
        return this;
    }

    /// <summary>Serves every path with a handler that keeps no state per connection.</summary>
    public ServerOptions UseHandler(IWebSocketHandler handler, WebSocketRouteOptions? options = null)
    {
        Routes.MapFallback(handler, options);
        return this;
    }

    /// <summary>The listeners to open: <see cref="Listeners"/>, or the default one built from the top-level settings.</summary>
    internal IReadOnlyList<ListenerOptions> EffectiveListeners() =>
        Listeners.Count > 0
            ? [.. Listeners]
            : [new ListenerOptions { Address = Address, Port = Port, Tls = Tls, ProxyProtocol = ProxyProtocol }];

    /// <summary>Checks every option when the server is created, naming the bad one and its value.</summary>
    internal void Validate()
    {
        foreach (ListenerOptions listener in EffectiveListeners()) listener.Validate();
        AtLeast(Workers, 1, nameof(Workers));
        AtLeast(ListenBacklog, 1, nameof(ListenBacklog));
        AtLeast(MaxMessageSize, 1, nameof(MaxMessageSize));
        AtLeast(MaxFragmentsPerMessage, 1, nameof(MaxFragmentsPerMessage));
        AtLeast(SendQueueLimit, 1, nameof(SendQueueLimit));
        ValidateConnectionLimits();
        Positive(HandshakeTimeout, nameof(HandshakeTimeout));
        Positive(CloseTimeout, nameof(CloseTimeout));
        if (DrainTimeout < TimeSpan.Zero)
            throw new ArgumentOutOfRangeException(nameof(DrainTimeout), DrainTimeout, "ServerOptions.DrainTimeout must not be negative.");
        ZeroOrMoreOrInfinite(KeepAliveInterval, nameof(KeepAliveInterval));
        ZeroOrMoreOrInfinite(IdleTimeout, nameof(IdleTimeout));
        ZeroOrMoreOrInfinite(PongTimeout, nameof(PongTimeout));
        if (!Enum.IsDefined(SlowConsumer))
            throw new ArgumentOutOfRangeException(nameof(SlowConsumer), SlowConsumer, "ServerOptions.SlowConsumer is not a policy.");
        if (TimeProvider is null) throw new ArgumentNullException(nameof(TimeProvider), "ServerOptions.TimeProvider is null.");
        if (HandshakeLimits is null) throw new ArgumentNullException(nameof(HandshakeLimits), "ServerOptions.HandshakeLimits is null.");
        if (Compression is null) throw new ArgumentNullException(nameof(Compression), "ServerOptions.Compression is null.");
        try
        {
            Compression.Validate();
        }
        catch (ArgumentException ex)
        {
            throw new ArgumentException($"ServerOptions.Compression: {ex.Message}", nameof(Compression), ex);
        }
        foreach (WebSocketRoute route in Routes.Routes) route.Options.Validate(route.Pattern);
        ValidateProbePath(HealthPath, nameof(HealthPath));
        ValidateProbePath(ReadinessPath, nameof(ReadinessPath));
        if (HealthPath is not null && HealthPath == ReadinessPath)
            throw new ArgumentException($"ServerOptions.HealthPath and ReadinessPath are both '{HealthPath}'.", nameof(ReadinessPath));
    }

    private static void ValidateProbePath(string? path, string name)
    {
        if (path is not null && !RouteTable.IsPagePath(path))
            throw new ArgumentException($"ServerOptions.{name} is a path starting with '/' (no query, no space), not '{path}'.", name);
    }

    /// <summary>A server that listens serves its routes: at least one is mapped. (One without listeners
    /// serves the routes another HTTP server gives it.)</summary>
    internal void ValidateRoutes()
    {
        if (!Routes.Routes.Any()) throw new InvalidOperationException("No handler: map a route or call UseHandler.");
    }

    private static void AtLeast(long value, long minimum, string name)
    {
        if (value < minimum)
            throw new ArgumentOutOfRangeException(name, value, $"ServerOptions.{name} must be at least {minimum}.");
    }

    private static void Positive(TimeSpan value, string name)
    {
        if (value <= TimeSpan.Zero)
            throw new ArgumentOutOfRangeException(name, value, $"ServerOptions.{name} must be positive.");
    }

    // As in configuration, where 0, off and infinite all turn such a timeout off.
    private static void ZeroOrMoreOrInfinite(TimeSpan value, string name)
    {
        if (value < TimeSpan.Zero && value != Timeout.InfiniteTimeSpan)
            throw new ArgumentOutOfRangeException(name, value,
                $"ServerOptions.{name} must not be negative; 0 or Timeout.InfiniteTimeSpan turns it off.");
    }
}
