using System.Diagnostics.Metrics;
using System.Net;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using StackExchange.Redis;
using WsServer.Connections;
using WsServer.Hosting;

namespace WsServer.Redis;

/// <summary>
/// Joins a <see cref="WebSocketServer"/> to the other nodes sharing a Redis, over Redis pub/sub.
/// <para>
/// Design. Two channels per node: every node subscribes to <c>PREFIX:topics</c>, where every topic
/// publish goes (the topic is in the envelope), and to its own <c>PREFIX:node:NODEID</c>, where sends to
/// its connections go. A connection is addressed across nodes by a <see cref="ConnectionAddress"/>
/// (node id and connection id), so a send is one Redis publish to the one node that holds it. A topic
/// publish is delivered to the local subscribers at once, with the server's own
/// <see cref="WebSocketServer.Publish"/>, and relayed to Redis; each other node delivers it with its
/// own <see cref="WebSocketServer.Publish"/>, and the publishing node skips its own copy. One channel
/// for all topics keeps the server free of hooks (a node need not know which topics it has), at the
/// cost of every node receiving every publish.
/// </para>
/// <para>
/// Guarantee: at most once. Redis pub/sub keeps nothing: while Redis is unreachable, publishes are
/// dropped (counted in <see cref="RedisBackplaneMetrics.MessagesDropped"/>) and a node misses what the
/// others published; StackExchange.Redis reconnects by itself and restores the subscriptions, and the
/// gap is logged. Local subscribers get topic messages throughout.
/// </para>
/// <para>Thread safety: every member may be called from any thread once <see cref="StartAsync"/> returned.</para>
/// </summary>
public sealed class RedisBackplane : IAsyncDisposable
{
    private readonly WebSocketServer _server;
    private readonly EndPoint _endPoint;
    private readonly string _address;
    private readonly RedisChannel _topics;
    private readonly RedisChannel _ownChannel;
    private readonly string _prefix;
    private readonly ILogger _logger;
    private readonly BackplaneInstruments _metrics;
    private readonly TimeProvider _time;
    private ConnectionMultiplexer? _redis;
    private long _lostAt; // a TimeProvider timestamp while Redis is lost, 0 while connected
    private long _droppedSinceLost;

    /// <summary>Creates a backplane for <paramref name="server"/>; nothing connects until
    /// <see cref="StartAsync"/>.</summary>
    /// <exception cref="ArgumentException">The address is not <c>HOST:PORT</c>; the message names it.</exception>
    public RedisBackplane(WebSocketServer server, RedisBackplaneOptions options,
        ILoggerFactory? loggerFactory = null, IMeterFactory? meterFactory = null)
    {
        ArgumentNullException.ThrowIfNull(server);
        ArgumentNullException.ThrowIfNull(options);
        _endPoint = RedisAddress.Parse(options.Address, nameof(options));
        ArgumentException.ThrowIfNullOrWhiteSpace(options.ChannelPrefix, nameof(options));
        _server = server;
        _address = options.Address;
        NodeId = options.NodeId ?? Guid.NewGuid().ToString("N")[..12];
        if (Encoding.UTF8.GetByteCount(NodeId) > byte.MaxValue || NodeId.Length == 0)
            throw new ArgumentException($"Node id '{NodeId}' must be 1 to 255 bytes of UTF-8", nameof(options));
        _prefix = options.ChannelPrefix;
        _topics = RedisChannel.Literal(_prefix + ":topics");
        _ownChannel = NodeChannel(NodeId);
        _time = options.TimeProvider ?? TimeProvider.System;
        _logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger("WsServer.Redis");
        _metrics = new BackplaneInstruments(meterFactory);
    }

    /// <summary>This node's id: its channel's name and the first half of its connections' addresses.</summary>
    public string NodeId { get; }

    /// <summary>Whether Redis is reachable now; publishes are dropped while it is not.</summary>
    public bool IsConnected => _redis?.IsConnected == true;

    /// <summary>Connects to Redis and subscribes to this node's channels. A Redis unreachable now is
    /// logged and does not fail the start: the backplane keeps retrying in the background, and publishes
    /// reach local subscribers only until it connects.</summary>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        if (_redis is not null) throw new InvalidOperationException("The backplane is already started");
        var configuration = new ConfigurationOptions
        {
            EndPoints = { _endPoint },
            AbortOnConnectFail = false,
            ConnectTimeout = 2000,
            ClientName = "wsserver-" + NodeId,
            ReconnectRetryPolicy = new ExponentialRetry(250, 5000),
        };
        _redis = await ConnectionMultiplexer.ConnectAsync(configuration).WaitAsync(cancellationToken).ConfigureAwait(false);
        _redis.ConnectionFailed += OnConnectionFailed;
        _redis.ConnectionRestored += OnConnectionRestored;
        ISubscriber subscriber = _redis.GetSubscriber();
        CommandFlags flags = CommandFlags.None;
        if (_redis.IsConnected)
        {
            Log.Connected(_logger, NodeId, _address);
        }
        else
        {
            Log.UnreachableAtStart(_logger, _address, _redis.GetStatus());
            MarkLost();
            // Recorded now, subscribed when the connection comes up (StackExchange.Redis restores them).
            flags = CommandFlags.FireAndForget;
        }
        await subscriber.SubscribeAsync(_topics, Receive, flags).ConfigureAwait(false);
        await subscriber.SubscribeAsync(_ownChannel, Receive, flags).ConfigureAwait(false);
    }

    /// <summary>The address by which any node reaches <paramref name="connection"/> of this node.</summary>
    public ConnectionAddress AddressOf(WebSocketConnection connection)
    {
        ArgumentNullException.ThrowIfNull(connection);
        return new ConnectionAddress(NodeId, connection.Id);
    }

    /// <summary>Publishes a text message to <paramref name="topic"/> on every node: this node's
    /// subscribers (but <paramref name="except"/>) get it at once, the other nodes' through Redis.
    /// Returns false when it could not be relayed (Redis unreachable): then only local subscribers got it.</summary>
    public Task<bool> PublishAsync(string topic, string text, WebSocketConnection? except = null)
    {
        ArgumentNullException.ThrowIfNull(text);
        return PublishAsync(topic, Encoding.UTF8.GetBytes(text), isText: true, except);
    }

    /// <summary>Publishes a text message given as UTF-8 bytes (not re-validated) to <paramref name="topic"/>
    /// on every node.</summary>
    /// <inheritdoc cref="PublishAsync(string, string, WebSocketConnection?)" path="/returns"/>
    public Task<bool> PublishTextAsync(string topic, ReadOnlyMemory<byte> utf8, WebSocketConnection? except = null) =>
        PublishAsync(topic, utf8, isText: true, except);

    /// <summary>Publishes a binary message to <paramref name="topic"/> on every node.</summary>
    /// <inheritdoc cref="PublishAsync(string, string, WebSocketConnection?)" path="/returns"/>
    public Task<bool> PublishAsync(string topic, ReadOnlyMemory<byte> data, WebSocketConnection? except = null) =>
        PublishAsync(topic, data, isText: false, except);

    /// <summary>Sends a text message to the connection at <paramref name="address"/>, on whichever node
    /// holds it. Returns true when it was queued here or handed to Redis (at most once: the other node
    /// drops it if the connection is gone); false when the connection is not here or Redis is unreachable.</summary>
    public Task<bool> SendAsync(ConnectionAddress address, string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return SendAsync(address, Encoding.UTF8.GetBytes(text), isText: true);
    }

    /// <summary>Sends a binary message to the connection at <paramref name="address"/>.</summary>
    /// <inheritdoc cref="SendAsync(ConnectionAddress, string)" path="/returns"/>
    public Task<bool> SendAsync(ConnectionAddress address, ReadOnlyMemory<byte> data) => SendAsync(address, data, isText: false);

    /// <summary>Disconnects from Redis; the server is left running.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_redis is { } redis)
        {
            redis.ConnectionFailed -= OnConnectionFailed;
            redis.ConnectionRestored -= OnConnectionRestored;
            await redis.CloseAsync(allowCommandsToComplete: false).ConfigureAwait(false);
            await redis.DisposeAsync().ConfigureAwait(false);
        }
        _metrics.Dispose();
    }

    private RedisChannel NodeChannel(string nodeId) => RedisChannel.Literal($"{_prefix}:node:{nodeId}");

    private Task<bool> PublishAsync(string topic, ReadOnlyMemory<byte> payload, bool isText, WebSocketConnection? except)
    {
        ArgumentNullException.ThrowIfNull(topic);
        _server.Publish(topic, Prepare(isText, payload.Span), except);
        var envelope = new Envelope(EnvelopeTarget.Topic, isText, _time.GetUtcNow().UtcTicks, NodeId, topic, 0, payload);
        return RelayAsync(_topics, envelope);
    }

    private Task<bool> SendAsync(ConnectionAddress address, ReadOnlyMemory<byte> payload, bool isText)
    {
        ArgumentNullException.ThrowIfNull(address.NodeId, nameof(address));
        if (address.NodeId == NodeId)
            return Task.FromResult(_server.TryGetConnection(address.ConnectionId, out WebSocketConnection? connection)
                && connection.TrySend(Prepare(isText, payload.Span)) == SendStatus.Queued);
        var envelope = new Envelope(EnvelopeTarget.Connection, isText, _time.GetUtcNow().UtcTicks, NodeId, null,
            address.ConnectionId, payload);
        return RelayAsync(NodeChannel(address.NodeId), envelope);
    }

    private async Task<bool> RelayAsync(RedisChannel channel, Envelope envelope)
    {
        ConnectionMultiplexer redis = _redis ?? throw new InvalidOperationException("Start the backplane first");
        if (!redis.IsConnected) return Dropped();
        try
        {
            await redis.GetSubscriber().PublishAsync(channel, envelope.ToBytes()).ConfigureAwait(false);
        }
        catch (Exception e) when (e is RedisConnectionException or RedisTimeoutException)
        {
            Log.PublishFailed(_logger, e.Message);
            return Dropped();
        }
        _metrics.Relayed.Add(1, new KeyValuePair<string, object?>("direction", "out"));
        return true;
    }

    private bool Dropped()
    {
        _metrics.Dropped.Add(1);
        Interlocked.Increment(ref _droppedSinceLost);
        return false;
    }

    private void Receive(RedisChannel channel, RedisValue value)
    {
        if (!Envelope.TryRead((ReadOnlyMemory<byte>)value, out Envelope envelope))
        {
            Log.NotAnEnvelope(_logger, channel.ToString());
            return;
        }
        if (envelope.Target == EnvelopeTarget.Topic && envelope.Origin == NodeId) return; // delivered locally when published
        // Counted on arrival, before delivery: a client that has the message sees it in the metrics too.
        _metrics.Relayed.Add(1, new KeyValuePair<string, object?>("direction", "in"));
        if (_metrics.Lag.Enabled)
            _metrics.Lag.Record(TimeSpan.FromTicks(_time.GetUtcNow().UtcTicks - envelope.PublishedAtTicks).TotalMilliseconds);
        if (envelope.Target == EnvelopeTarget.Topic)
            _server.Publish(envelope.Topic!, Prepare(envelope.IsText, envelope.Payload.Span));
        else if (_server.TryGetConnection(envelope.ConnectionId, out WebSocketConnection? connection))
            connection.TrySend(Prepare(envelope.IsText, envelope.Payload.Span));
    }

    private static PreparedMessage Prepare(bool isText, ReadOnlySpan<byte> payload) =>
        isText ? PreparedMessage.Text(payload) : PreparedMessage.Binary(payload);

    private void MarkLost()
    {
        if (Interlocked.CompareExchange(ref _lostAt, Math.Max(1, _time.GetTimestamp()), 0) == 0)
            Interlocked.Exchange(ref _droppedSinceLost, 0);
    }

    private void OnConnectionFailed(object? sender, ConnectionFailedEventArgs e)
    {
        if (Interlocked.Read(ref _lostAt) == 0)
            Log.ConnectionLost(_logger, _address, e.FailureType.ToString(), e.Exception?.Message ?? "no details");
        MarkLost();
    }

    private void OnConnectionRestored(object? sender, ConnectionFailedEventArgs e)
    {
        if (_redis?.IsConnected != true) return;
        long lostAt = Interlocked.Exchange(ref _lostAt, 0);
        if (lostAt == 0) return;
        _metrics.Reconnects.Add(1);
        Log.Reconnected(_logger, _address, _time.GetElapsedTime(lostAt), Interlocked.Read(ref _droppedSinceLost));
    }
}
