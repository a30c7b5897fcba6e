using System.Diagnostics.Metrics;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using StackExchange.Redis;
using WsServer.Connections;
using WsServer.Hosting;
using WsServer.PubSub;

namespace WsServer.Redis;

/// <summary>
/// Joins a <see cref="WebSocketServer"/> to the other nodes sharing a Redis (or a Redis Cluster): what any
/// node publishes to a topic (<see cref="WebSocketServer.Publish"/>, <see cref="WebSocketConnection.Publish(string, PreparedMessage)"/>)
/// reaches that topic's subscribers on every node, and a send to a <see cref="ConnectionAddress"/> reaches
/// the connection on whichever node holds it.
/// <para>
/// Routing by interest: each topic has its own channel, <c>PREFIX:topic:NAME</c>, which a node listens to
/// only while it has a subscriber to the topic, so a node receives only the traffic of its own topics.
/// Each node also listens to <c>PREFIX:node:ID</c>, where sends to its connections go. On a Redis Cluster
/// both are sharded channels (<c>SSUBSCRIBE</c>/<c>SPUBLISH</c>), spread over the shards by name.
/// </para>
/// <para>
/// Never a stall: a publish is delivered to this node's subscribers at once and queued for Redis; one pump
/// publishes the queue in order. While Redis is slow or away the queue holds up to
/// <see cref="RedisBackplaneOptions.MaxQueuedMessages"/> and <see cref="RedisBackplaneOptions.MaxQueuedBytes"/>;
/// what overflows is dropped for the other nodes, counted and logged. Guarantee: at most once, in order per
/// publisher for what is delivered.
/// </para>
/// <para>Thread safety: every member may be called from any thread once <see cref="StartAsync"/> returned.</para>
/// </summary>
public sealed partial class RedisBackplane : ITopicBackplane, ITopicHistoryStore, IPresenceStore, IAsyncDisposable
{
    private static readonly TimeSpan FlushOnStop = TimeSpan.FromSeconds(2);
    private readonly WebSocketServer _server;
    private readonly ConfigurationOptions? _configuration;
    private readonly IConnectionMultiplexer? _given;
    private readonly Action<ConfigurationOptions>? _configure;
    private readonly string _redisName;
    private readonly string _prefix;
    private readonly bool? _sharded;
    private readonly RelayQueue _queue;
    private readonly RelayPump _pump;
    private readonly ChannelListeners _listeners;
    private readonly ILogger _logger;
    private readonly BackplaneInstruments _metrics;
    private readonly TimeProvider _time;
    private readonly CancellationTokenSource _stopping = new();
    private IConnectionMultiplexer? _redis;
    private RedisHistory _history;
    private readonly RedisPresence _presence;
    private ITimer? _heartbeat;
    private bool _useSharded;
    private Task _pumping = Task.CompletedTask;
    private long _lostAt; // a timestamp while Redis is lost, 0 while connected
    private int _disposed;

    /// <summary>Creates a backplane for <paramref name="server"/>; nothing connects until <see cref="StartAsync"/>.</summary>
    /// <exception cref="ArgumentException">The options name no Redis, or a malformed one; the message says which part.</exception>
    public RedisBackplane(WebSocketServer server, RedisBackplaneOptions options,
        ILoggerFactory? loggerFactory = null, IMeterFactory? meterFactory = null)
    {
        ArgumentNullException.ThrowIfNull(server);
        ArgumentNullException.ThrowIfNull(options);
        if ((options.Configuration is null) == (options.Connection is null))
            throw new ArgumentException("Give the backplane either a Redis configuration or a connection", nameof(options));
        ArgumentException.ThrowIfNullOrWhiteSpace(options.ChannelPrefix, nameof(options));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.MaxQueuedMessages, nameof(options));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.MaxQueuedBytes, nameof(options));
        if (options.PresenceTimeout <= TimeSpan.Zero) throw new ArgumentException("PresenceTimeout must be positive", nameof(options));
        _server = server;
        _given = options.Connection;
        _configure = options.ConfigureConnection;
        if (options.Configuration is { } text) _configuration = RedisConfiguration.Parse(text, nameof(options));
        _redisName = _configuration is null ? "the given connection" : RedisConfiguration.Describe(_configuration);
        NodeId = options.NodeId ?? Guid.NewGuid().ToString("N")[..12];
        if (Encoding.UTF8.GetByteCount(NodeId) > byte.MaxValue || NodeId.Length == 0)
            throw new ArgumentException($"Node id '{NodeId}' must be 1 to 255 bytes of UTF-8", nameof(options));
        _prefix = options.ChannelPrefix;
        _sharded = options.ShardedPubSub;
        _time = options.TimeProvider ?? TimeProvider.System;
        _logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger("WsServer.Redis");
        _queue = new RelayQueue(options.MaxQueuedMessages, options.MaxQueuedBytes);
        _listeners = new ChannelListeners(() => Redis.GetSubscriber(), Receive);
        _metrics = new BackplaneInstruments(meterFactory, () => _queue.Count, () => _listeners.Count);
        _history = new RedisHistory(_prefix, sharded: false);
        _presence = new RedisPresence(_prefix, NodeId, options.PresenceTimeout);
        _pump = new RelayPump(_queue, () => Redis, Send, _redisName, _metrics, _logger, _time);
    }

    /// <summary>This node's id: its channel's name and the first half of its connections' addresses.</summary>
    public string NodeId { get; }

    /// <summary>The Redis this backplane uses, by its endpoints (never a password), as the logs name it.</summary>
    public string RedisName => _redisName;

    /// <summary>Whether Redis is reachable now; while it is not, publishes wait in the queue.</summary>
    public bool IsConnected => _redis?.IsConnected == true;

    // The readiness probe's word: while Redis is away the server answers /readyz with 503.
    bool ITopicBackplane.IsAvailable => IsConnected;

    /// <summary>Whether topics travel on sharded channels (a Redis Cluster), decided at the start.</summary>
    public bool IsSharded => _useSharded;

    private IConnectionMultiplexer Redis => _redis ?? throw new InvalidOperationException("Start the backplane first");

    /// <summary>Connects to Redis, listens to this node's channel and joins the server's topics. A Redis
    /// unreachable now (or refusing the credentials) is logged in one line and does not fail the start:
    /// the backplane retries in the background, and publishes reach local subscribers at once and wait in
    /// the queue for the others.</summary>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        if (_redis is not null) throw new InvalidOperationException("The backplane is already started");
        _redis = _given ?? await ConnectAsync(cancellationToken).ConfigureAwait(false);
        _redis.ConnectionFailed += OnConnectionFailed;
        _redis.ConnectionRestored += OnConnectionRestored;
        _useSharded = _sharded ?? (_redis.IsConnected && IsCluster(_redis));
        _history = new RedisHistory(_prefix, _useSharded);
        if (_redis.IsConnected) Log.Connected(_logger, NodeId, _redisName, _useSharded ? "sharded pub/sub" : "pub/sub");
        else MarkLost();
        Task listening = _listeners.Open(Channel($"{_prefix}:node:{NodeId}"));
        _pumping = Task.Run(() => _pump.RunAsync(_stopping.Token, FlushOnStop), CancellationToken.None);
        _heartbeat = _time.CreateTimer(static self => ((RedisBackplane)self!).Beat(), this, TimeSpan.Zero, _presence.Timeout / 3);
        _server.AttachBackplane(this);
        await listening.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The address by which any node reaches <paramref name="connection"/> of this node.</summary>
    public ConnectionAddress AddressOf(WebSocketConnection connection)
    {
        ArgumentNullException.ThrowIfNull(connection);
        return new ConnectionAddress(NodeId, connection.Id);
    }

    /// <summary>Sends <paramref name="message"/> to the connection at <paramref name="address"/>, on whichever
    /// node holds it; never waits. True when it was queued to the connection here, or queued for Redis (at
    /// most once: the other node drops it if the connection is gone); false when the connection is not here
    /// or the queue toward Redis is full.</summary>
    public bool Send(ConnectionAddress address, PreparedMessage message)
    {
        ArgumentNullException.ThrowIfNull(address.NodeId, nameof(address));
        ArgumentNullException.ThrowIfNull(message);
        if (address.NodeId == NodeId)
            return _server.TryGetConnection(address.ConnectionId, out WebSocketConnection? connection)
                && connection.TrySend(message) == SendStatus.Queued;
        var envelope = new Envelope(EnvelopeTarget.Connection, message.IsText, _time.GetUtcNow().UtcTicks, NodeId, null,
            address.ConnectionId, message.Payload);
        return _pump.TryAdd(new Outgoing(Channel($"{_prefix}:node:{address.NodeId}"), envelope));
    }

    /// <summary>Sends a text message to the connection at <paramref name="address"/>.</summary>
    /// <inheritdoc cref="Send(ConnectionAddress, PreparedMessage)" path="/returns"/>
    public bool Send(ConnectionAddress address, string text) => Send(address, PreparedMessage.Text(text));

    /// <summary>Leaves the server's topics, publishes what is already queued (for up to two seconds while
    /// Redis takes it) and disconnects from Redis (a connection given in the options stays open). The
    /// server is left running, its topics on this node only. A second call does nothing.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        if (_redis is { } redis)
        {
            _server.DetachBackplane(this);
            await _stopping.CancelAsync().ConfigureAwait(false);
            await _pumping.ConfigureAwait(false);
            if (_heartbeat is not null) await _heartbeat.DisposeAsync().ConfigureAwait(false);
            await IgnoringRedisFailures(() => _presence.LeaveAsync(redis.GetDatabase())).ConfigureAwait(false);
            redis.ConnectionFailed -= OnConnectionFailed;
            redis.ConnectionRestored -= OnConnectionRestored;
            await IgnoringRedisFailures(() =>
            {
                _listeners.Close(Channel($"{_prefix}:node:{NodeId}"));
                return Task.CompletedTask;
            }).ConfigureAwait(false);
            if (_given is null)
            {
                await redis.CloseAsync(allowCommandsToComplete: false).ConfigureAwait(false);
                await redis.DisposeAsync().ConfigureAwait(false);
            }
        }
        _metrics.Dispose();
        _stopping.Dispose();
    }

    Task ITopicBackplane.TopicOpened(string topic) => _listeners.Open(TopicChannel(topic));

    void ITopicBackplane.TopicClosed(string topic) => _listeners.Close(TopicChannel(topic));

    void ITopicBackplane.Relay(string topic, PreparedMessage message)
    {
        var envelope = new Envelope(EnvelopeTarget.Topic, message.IsText, _time.GetUtcNow().UtcTicks, NodeId, topic, 0,
            message.Payload);
        _pump.TryAdd(new Outgoing(TopicChannel(topic), envelope));
    }

    void ITopicHistoryStore.Append(string topic, PreparedMessage message, TopicHistoryOptions options, long exceptConnectionId)
    {
        var envelope = new Envelope(EnvelopeTarget.History, message.IsText, _time.GetUtcNow().UtcTicks, NodeId, topic,
            exceptConnectionId, message.Payload);
        _pump.TryAdd(new Outgoing(TopicChannel(topic), envelope, options));
    }

    async ValueTask<TopicHistoryPage> ITopicHistoryStore.ReadAsync(string topic, TopicPosition? since, int last,
        TopicHistoryOptions options, CancellationToken cancellationToken)
    {
        try
        {
            return await _history.ReadAsync(Redis.GetDatabase(), topic, since, last).WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is RedisConnectionException or RedisTimeoutException)
        {
            // Redis away: nothing can be replayed, and the subscriber is told so.
            return new TopicHistoryPage([], default, Complete: since is null);
        }
    }

    void IPresenceStore.Joined(string topic, PresenceMember member) =>
        _pump.TryAdd(new Outgoing(TopicChannel(topic), _presence.Change(topic, member, joined: true, _time.GetUtcNow().UtcTicks)));

    void IPresenceStore.Left(string topic, PresenceMember member) =>
        _pump.TryAdd(new Outgoing(TopicChannel(topic), _presence.Change(topic, member, joined: false, _time.GetUtcNow().UtcTicks)));

    async ValueTask<IReadOnlyList<PresenceMember>> IPresenceStore.ListAsync(string topic, CancellationToken cancellationToken) =>
        await _presence.ListAsync(Redis.GetDatabase(), topic).WaitAsync(cancellationToken).ConfigureAwait(false);

    private Task Send(Outgoing item) => item.Envelope.Target switch
    {
        EnvelopeTarget.History => _history.AppendAsync(Redis.GetDatabase(), item),
        EnvelopeTarget.Presence => _presence.ApplyAsync(Redis.GetDatabase(), item, _useSharded),
        _ => Redis.GetSubscriber().PublishAsync(item.Channel, item.Envelope.ToBytes()),
    };

    private void Beat()
    {
        if (_redis is { IsConnected: true } redis) _ = IgnoringRedisFailures(() => _presence.BeatAsync(redis.GetDatabase()));
    }

    // A heartbeat or a restore that fails is retried by the next one, or the next reconnection; at the
    // end, a connection the application gave may be closed already.
    private static async Task IgnoringRedisFailures(Func<Task> action)
    {
        try
        {
            await action().ConfigureAwait(false);
        }
        catch (Exception e) when (e is RedisConnectionException or RedisTimeoutException or ObjectDisposedException)
        {
        }
    }

    // The topic is the channel's hash tag, as in its history's keys, so that a cluster keeps them on one shard.
    private RedisChannel TopicChannel(string topic) => _history.Channel(topic);

    private RedisChannel Channel(string name) => _history.Named(name);

    private void Receive(ChannelMessage message)
    {
        var bytes = (ReadOnlyMemory<byte>)message.Message;
        // A message of a topic that keeps history comes with the position Redis gave it.
        if (RedisHistory.TryReadPublished(bytes, out TopicPosition position, out ReadOnlyMemory<byte> rest)) bytes = rest;
        if (!Envelope.TryRead(bytes, out Envelope envelope))
        {
            Log.NotAnEnvelope(_logger, message.Channel.ToString());
            return;
        }
        if (envelope.Target == EnvelopeTarget.Topic && envelope.Origin == NodeId) return; // delivered locally when published
        // Counted on arrival, before delivery: a client that has the message sees it in the metrics too.
        _metrics.Relayed.Add(1, new KeyValuePair<string, object?>("direction", "in"));
        if (_metrics.Lag.Enabled)
            _metrics.Lag.Record(TimeSpan.FromTicks(_time.GetUtcNow().UtcTicks - envelope.PublishedAtTicks).TotalMilliseconds);
        if (envelope.Target == EnvelopeTarget.Presence)
        {
            if (envelope.Origin != NodeId) _server.DeliverPresenceChange(RedisPresence.Read(envelope)); // local watchers knew at once
            return;
        }
        if (envelope.Target == EnvelopeTarget.History)
        {
            // The origin delivers its own too: only now is the position known.
            var kept = new TopicMessage(envelope.Topic!, position, envelope.Payload, envelope.IsText);
            _server.DeliverTopicMessage(kept, envelope.Origin == NodeId ? envelope.ConnectionId : 0);
            return;
        }
        PreparedMessage prepared = envelope.IsText ? PreparedMessage.Text(envelope.Payload.Span) : PreparedMessage.Binary(envelope.Payload.Span);
        if (envelope.Target == EnvelopeTarget.Topic)
            _server.PublishLocal(envelope.Topic!, prepared);
        else if (_server.TryGetConnection(envelope.ConnectionId, out WebSocketConnection? connection))
            connection.TrySend(prepared);
    }
}
