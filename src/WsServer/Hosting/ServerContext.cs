using System.Diagnostics.Metrics;
using System.Net;
using Microsoft.Extensions.Logging;
using WsServer.Collections;
using WsServer.Connections;
using WsServer.Diagnostics;
using WsServer.PubSub;
using WsServer.Transport;

namespace WsServer.Hosting;

/// <summary>What every connection of one server shares: options, logger, the live-connection registry
/// and the two shutdown signals.</summary>
internal sealed class ServerContext
{
    private readonly CancellationTokenSource _stopping = new();
    private readonly CancellationTokenSource _aborting = new();
    private readonly ConnectionLimits _limits;
    private readonly AddressRateLimiter? _connectionRate;
    private readonly AddressLimiters? _addressLimiters;
    private int _closedToNew;

    public ServerContext(ServerOptions options, ILogger logger, IMeterFactory? meterFactory)
    {
        _limits = new ConnectionLimits(options.MaxConnections, options.MaxConnectionsPerIp);
        if (options.ConnectionsPerSecondPerIp > 0) _connectionRate = new AddressRateLimiter(options.ConnectionsPerSecondPerIp);
        if (options.RateLimitPerIp is { } perAddress) _addressLimiters = new AddressLimiters(perAddress);
        Options = options;
        Logger = logger;
        Metrics = new ServerInstruments(meterFactory, SendQueueBytes);
        Topics = new TopicRegistry(options.History, options.TimeProvider);
        Liveness = new LivenessPolicy(options.TimeProvider, options.KeepAliveInterval, options.PongTimeout, options.IdleTimeout, Metrics);
    }

    public ServerOptions Options { get; }

    public ILogger Logger { get; }

    public ServerInstruments Metrics { get; }

    public TopicRegistry Topics { get; }

    public TimeProvider Time => Options.TimeProvider;

    /// <summary>The keep-alive and idle timeouts every connection's <see cref="Connections.Liveness"/> judges by.</summary>
    public LivenessPolicy Liveness { get; }

    /// <summary>Cancelled when the server stops accepting: handshakes in progress are refused with 503.</summary>
    public CancellationToken Stopping => _stopping.Token;

    /// <summary>Cancelled when the drain time is over: every connection is cut.</summary>
    public CancellationToken Aborting => _aborting.Token;

    /// <summary>The open connections by id (<see cref="ConnectionInfo.Id"/> is the slot's id), to find one
    /// and to visit them all (a broadcast, the heartbeat, the stop's sweep); its count is what
    /// <see cref="ServerOptions.MaxConnections"/> limits.</summary>
    public SlotTable<WebSocketConnection> Connections { get; } = new();

    // Every transport opened and not yet released: what an abort cuts.
    private readonly SlotTable<ConnectionTransport> _transports = new();

    public int ConnectionCount => Connections.Count;

    public bool TryGetConnection(long id, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out WebSocketConnection? connection) =>
        Connections.TryGet(id, out connection);

    // Read by the metrics listener when it collects, not per message.
    private long SendQueueBytes()
    {
        long total = 0;
        foreach (WebSocketConnection connection in Connections) total += connection.PendingSendBytes;
        return total;
    }

    /// <summary>Takes a place for a connection from <paramref name="address"/>, counted against
    /// <see cref="ServerOptions.MaxConnections"/> and <see cref="ServerOptions.MaxConnectionsPerIp"/>, and
    /// gives it its id; <see cref="TryRegister"/> then adds the connection made with that id.</summary>
    public Admission TryAdmit(IPAddress address, out long id)
    {
        id = 0;
        return Volatile.Read(ref _closedToNew) != 0 ? Admission.Stopping : _limits.TryAdmit(address, Connections, out id);
    }

    /// <summary>Adds an admitted connection before its 101 is sent; refused once the server is stopping, so
    /// no connection can slip in after the stop's sweep of 1001s (its place is freed then).</summary>
    public Admission TryRegister(WebSocketConnection connection)
    {
        Connections.Fill(connection.Id, connection);
        // Stop sets the flag, then sweeps: a connection added before the flag is in the sweep, one that
        // sees the flag here takes itself out. The fence orders the add before the second look.
        Interlocked.MemoryBarrier();
        if (Volatile.Read(ref _closedToNew) == 0) return Admission.Admitted;
        Unregister(connection);
        return Admission.Stopping;
    }

    /// <summary>Whether a connection from <paramref name="address"/> would be admitted now, before any
    /// work is spent on its upgrade (callbacks, compression); <see cref="TryAdmit"/> decides.</summary>
    public Admission CanAdmit(IPAddress address) =>
        Volatile.Read(ref _closedToNew) != 0 ? Admission.Stopping : _limits.CanAdmit(address, Connections.Count);

    /// <summary>Takes a new connection's place in <see cref="ServerOptions.ConnectionsPerSecondPerIp"/>; false when
    /// <paramref name="address"/> has opened as many as it may this second.</summary>
    public bool TryTakeConnectionRate(IPAddress address) => _connectionRate?.TryTake(address) ?? true;

    /// <summary>The rate limiter a connection is to have: its route's (or the server's) own, in front of its
    /// address's shared one (<see cref="ServerOptions.RateLimitPerIp"/>, rented until <see cref="ReturnRateLimiter"/>);
    /// null when neither is set.</summary>
    public InboundLimiter? RentRateLimiter(MessageRateLimit? own, IPAddress address)
    {
        InboundLimiter? shared = _addressLimiters?.Rent(address);
        if (own is null && shared is null) return null;
        return new InboundLimiter(own ?? NoLimit, shared);
    }

    /// <summary>A connection with a limiter from <see cref="RentRateLimiter"/> has ended.</summary>
    public void ReturnRateLimiter(InboundLimiter? limiter, IPAddress address)
    {
        if (limiter?.Shared is not null) _addressLimiters?.Return(address);
    }

    private static readonly MessageRateLimit NoLimit = new();

    /// <summary>Removes a registered connection and frees its place in the limits; once, however often called.</summary>
    public void Unregister(WebSocketConnection connection)
    {
        if (!Connections.Remove(connection.Id)) return;
        _limits.Release(connection.Info.RemoteEndPoint.Address);
    }

    /// <summary>Asks each open connection whether a keep-alive or idle check is due; the checks run
    /// in each connection's own turn.</summary>
    public void Heartbeat()
    {
        _connectionRate?.Replenish();
        _addressLimiters?.Replenish();
        long now = Time.GetTimestamp();
        foreach (WebSocketConnection connection in Connections) connection.OnHeartbeat(now);
    }

    /// <summary>Why the server is not ready for new connections (it is stopping, its backplane is away); null when ready.</summary>
    public string? NotReadyBecause() =>
        Volatile.Read(ref _closedToNew) != 0 ? "draining"
        : !Topics.BackplaneAvailable ? "backplane unavailable"
        : null;

    /// <summary>Stops new connections: the listeners close, upgrades in progress are refused.</summary>
    public void Stop()
    {
        Interlocked.Exchange(ref _closedToNew, 1);
        _stopping.Cancel();
    }

    /// <summary>Gives up waiting: <see cref="Aborting"/> is cancelled and every open transport cut.</summary>
    public void Abort()
    {
        _aborting.Cancel();
        foreach (ConnectionTransport transport in _transports) transport.Abort();
    }

    /// <summary>Has <see cref="Abort"/> cut <paramref name="transport"/> until <see cref="Untrack"/>, or at once
    /// when it came already. Returns the transport's slot id.</summary>
    public long Track(ConnectionTransport transport)
    {
        long slot = _transports.Add(transport);
        // An abort that swept the slots before this one was taken has cancelled the token already.
        if (_aborting.IsCancellationRequested) transport.Abort();
        return slot;
    }

    public void Untrack(long slot) => _transports.Remove(slot);
}
