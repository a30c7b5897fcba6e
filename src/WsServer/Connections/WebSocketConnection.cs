using WsServer.Diagnostics;
using WsServer.Protocol.Closing;
using WsServer.Protocol.Messages;
using WsServer.PubSub;
using WsServer.Transport;

namespace WsServer.Connections;

/// <summary>
/// The reference to a connection that a handler keeps (the seed's worker reference). Every method is
/// safe to call from any thread at any time; frames go out in the order the calls were made, in order
/// with the results of the handler. When the send queue is over its limit, <c>SendAsync</c> waits and
/// <c>TrySend</c> returns <see cref="SendStatus.QueueFull"/>. Once the connection is closing, sends
/// throw <see cref="ConnectionClosedException"/> or return <see cref="SendStatus.Closed"/>.
/// </summary>
public sealed partial class WebSocketConnection : IMailboxOwner, ITopicSubscriber
{

    // The gate of every connection that ended before its first subscription: it only ever guards the
    // refusal of a late subscription.
    private static readonly Lock EndedGate = new();

    private readonly LiveSession _live;
    private readonly ConnectionTransport _transport;
    private readonly Liveness _liveness;
    private readonly TopicRegistry _topics;
    // Most connections never subscribe, and few are awaited: the gate and the completion source are
    // created on first use, so an idle connection holds neither.
    private Lock? _subscriptionsGate;
    private HashSet<string>? _subscriptions;
    private TaskCompletionSource? _completion;

    internal WebSocketConnection(ConnectionInfo info, LiveSession live, HandlerCalls calls, ConnectionTransport transport,
        Liveness liveness, TopicRegistry topics)
    {
        _topics = topics;
        Info = info;
        _live = live;
        _transport = transport;
        _liveness = liveness;
        Calls = calls;
        calls.DeliverTo(this);
        live.ReportDrainsTo(calls);
    }

    /// <summary>Who connected, and how.</summary>
    public ConnectionInfo Info { get; }

    /// <summary>Shorthand for <see cref="ConnectionInfo.Id"/>.</summary>
    public long Id => Info.Id;

    /// <summary>True until a close frame is sent or received, or the transport fails.</summary>
    public bool IsOpen => _live.IsOpen;

    /// <summary>Bytes queued for this peer and not yet written to the socket.</summary>
    public long PendingSendBytes => _live.PendingBytes;

    /// <summary>True on the thread of this connection's loop while it acts on a read: sends wait for its flush.</summary>
    internal bool DefersSendsOnThisThread => _live.DefersSendsOnThisThread;

    /// <summary>The last round-trip time measured by a ping (keep-alive or <see cref="PingAsync"/>);
    /// null before the first pong.</summary>
    public TimeSpan? RoundTripTime => _liveness.LastRoundTripTime;

    /// <summary>Completes when the connection has ended and the handler's closed callback has run.</summary>
    public Task Completion => LazyCompletion.Task(ref _completion);

    internal HandlerCalls Calls { get; }

    internal Mailbox Mailbox => Calls;

    internal LiveSession Live => _live;

    internal Liveness Liveness => _liveness;

    /// <summary>Queues a text message, waiting while the send queue is full.</summary>
    public ValueTask SendAsync(string text, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(text);
        return SendAsync(static (l, t, wait) => l.SendText(t.Span, wait), text.AsMemory(), cancellationToken);
    }

    /// <summary>Queues a binary message, waiting while the send queue is full. The bytes are copied.</summary>
    public ValueTask SendAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default) =>
        SendAsync(static (l, d, wait) => l.Send(MessageKind.Binary, d.Span, wait), data, cancellationToken);

    /// <summary>Queues a text message given as UTF-8 bytes (not re-validated), waiting while the queue is full.</summary>
    public ValueTask SendTextAsync(ReadOnlyMemory<byte> utf8, CancellationToken cancellationToken = default) =>
        SendAsync(static (l, d, wait) => l.Send(MessageKind.Text, d.Span, wait), utf8, cancellationToken);

    /// <summary>Queues a message encoded once for many connections, waiting while the queue is full.</summary>
    public ValueTask SendAsync(PreparedMessage message, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        return SendAsync(static (l, m, wait) => l.SendPrepared(m, wait), message, cancellationToken);
    }

    /// <summary>Queues a text message unless the queue is full or the connection closing.</summary>
    public SendStatus TrySend(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return _live.SendText(text);
    }

    /// <summary>Queues a binary message unless the queue is full or the connection closing.</summary>
    public SendStatus TrySend(ReadOnlySpan<byte> data) => _live.Send(MessageKind.Binary, data);

    /// <summary>Queues a UTF-8 text message unless the queue is full or the connection closing.</summary>
    public SendStatus TrySendText(ReadOnlySpan<byte> utf8) => _live.Send(MessageKind.Text, utf8);

    /// <summary>Queues a prepared message unless the queue is full or the connection closing.</summary>
    public SendStatus TrySend(PreparedMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        return _live.SendPrepared(message);
    }

    /// <summary>Queues a ping with up to 125 bytes of data (ahead of the queue limit: control frames are small).</summary>
    /// <exception cref="ArgumentException">More than 125 bytes (RFC 6455 §5.5).</exception>
    public SendStatus Ping(ReadOnlySpan<byte> data = default) => _live.SendControl(ping: true, CheckControl(data));

    /// <summary>Queues an unsolicited pong with up to 125 bytes of data.</summary>
    /// <exception cref="ArgumentException">More than 125 bytes (RFC 6455 §5.5).</exception>
    public SendStatus Pong(ReadOnlySpan<byte> data = default) => _live.SendControl(ping: false, CheckControl(data));

    /// <summary>Sends a ping and completes with the round-trip time when its pong arrives (also kept in
    /// <see cref="RoundTripTime"/>). Fails with <see cref="TimeoutException"/> when no pong comes within
    /// <see cref="Hosting.ServerOptions.PongTimeout"/>, and with <see cref="ConnectionClosedException"/>
    /// when the connection is closing or ends first.</summary>
    public Task<TimeSpan> PingAsync(CancellationToken cancellationToken = default)
    {
        var pong = new TaskCompletionSource<TimeSpan>(TaskCreationOptions.RunContinuationsAsynchronously);
        ulong id = SendTrackedPing(pong);
        return id == 0
            ? Task.FromException<TimeSpan>(new ConnectionClosedException(Id))
            : _liveness.WaitForPongAsync(id, pong.Task, cancellationToken);
    }

    /// <summary>Starts the closing handshake with <paramref name="code"/> (1000 unless given; null sends a
    /// close frame without a status), after everything already queued; the connection ends when the peer
    /// answers or the close timeout passes. Returns false when the connection was already closing.
    /// To wait for the end, await <see cref="Completion"/> — but not from inside the handler's own
    /// callbacks, which the end waits for.</summary>
    /// <exception cref="ArgumentException">The code may not be sent, or a reason was given without a code.</exception>
    public bool Close(CloseCode? code = CloseCode.NormalClosure, string? reason = null) => _live.Close(code, reason);

    /// <summary>Posts <paramref name="item"/> to the connection's mailbox: the handler's
    /// <c>HandleInfoAsync</c> gets it in the connection's turn, in order with the messages and never
    /// during another call, so timers and subscriptions can change the state without locks. Returns
    /// false once the connection has ended; items not yet delivered then are dropped.</summary>
    public bool Post(object? item) => Mailbox.Post(item);

    /// <summary>Subscribes this connection to <paramref name="topic"/>, from any thread: what is published
    /// there (<see cref="Hosting.WebSocketServer.Publish(string, PreparedMessage, WebSocketConnection?)"/>)
    /// is sent to it, in publish order per publisher. False when it already was subscribed, or has ended.
    /// The subscriptions end with the connection. With a backplane, what other servers publish arrives
    /// once this server's subscription there is in place; <see cref="SubscribeAsync(string, CancellationToken)"/> waits for that.</summary>
    public bool Subscribe(string topic) => Subscribe(topic, out _);

    /// <summary>As <see cref="Subscribe(string)"/>, and completes when every message published to
    /// <paramref name="topic"/> from then on, on any server sharing the backplane, reaches this connection
    /// (at once without a backplane, and while the backplane is unreachable, since nothing from other
    /// servers can arrive then anyway). True when it subscribed, false when it already was or has ended.</summary>
    public async ValueTask<bool> SubscribeAsync(string topic, CancellationToken cancellationToken = default)
    {
        if (!Subscribe(topic, out Task ready)) return false;
        await ready.WaitAsync(cancellationToken).ConfigureAwait(false);
        return true;
    }

    /// <summary>Subscribes a topic that keeps history after replaying what this connection missed since
    /// <paramref name="since"/> (the position its client last saw): every message after it exactly once, in
    /// order, then the live ones, with no gap or repeat at the seam. When the history no longer reaches back
    /// that far, or was lost (another epoch), nothing is replayed and <see cref="TopicRecovery.Recovered"/>
    /// is false: the application should reload its state. Completes once live.</summary>
    /// <exception cref="InvalidOperationException">The topic keeps no history (<see cref="Hosting.ServerOptions.History"/>).</exception>
    public ValueTask<TopicRecovery> SubscribeAsync(string topic, TopicPosition since, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(topic);
        return _topics.Histories.SubscribeAsync(this, topic, since, 0, cancellationToken);
    }

    /// <summary>Subscribes a topic that keeps history after replaying its last <paramref name="last"/>
    /// messages (a page that joins a room shows what was said), with no gap or repeat before the live ones.</summary>
    /// <exception cref="InvalidOperationException">The topic keeps no history (<see cref="Hosting.ServerOptions.History"/>).</exception>
    public ValueTask<TopicRecovery> SubscribeAsync(string topic, int last, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(topic);
        ArgumentOutOfRangeException.ThrowIfNegative(last);
        return _topics.Histories.SubscribeAsync(this, topic, null, last, cancellationToken);
    }

    internal bool Subscribe(string topic, out Task ready)
    {
        ArgumentException.ThrowIfNullOrEmpty(topic);
        ready = Task.CompletedTask;
        lock (LazyInitializer.EnsureInitialized(ref _subscriptionsGate))
        {
            if (_live.HasEnded || !(_subscriptions ??= new(StringComparer.Ordinal)).Add(topic)) return false;
            return _topics.Subscribe(topic, this, out ready);
        }
    }

    /// <summary>Puts this connection in <paramref name="topic"/>'s presence, with <paramref name="info"/> (a
    /// name, a small JSON object: what the other members see), until it unsubscribes from the topic or ends;
    /// the topic's watchers are told. Joining again replaces the info. False once the connection has ended.</summary>
    public bool JoinPresence(string topic, string info)
    {
        ArgumentException.ThrowIfNullOrEmpty(topic);
        ArgumentNullException.ThrowIfNull(info);
        if (_live.HasEnded) return false;
        _topics.Presence.Join(topic, this, info);
        return true;
    }

    /// <summary>Posts each join and leave in <paramref name="topic"/>'s presence (on every server sharing the
    /// backplane) to this connection's mailbox as a <see cref="PresenceChange"/>, until it ends. False when it
    /// already watches.</summary>
    public bool WatchPresence(string topic)
    {
        ArgumentException.ThrowIfNullOrEmpty(topic);
        return _topics.Presence.Watch(topic, this);
    }

    /// <summary>Unsubscribes this connection from <paramref name="topic"/>, and takes it out of the topic's
    /// presence; false when it was not subscribed.</summary>
    public bool Unsubscribe(string topic)
    {
        ArgumentException.ThrowIfNullOrEmpty(topic);
        if (Volatile.Read(ref _subscriptionsGate) is not { } gate) return false; // never subscribed
        lock (gate)
        {
            if (_subscriptions?.Remove(topic) != true) return false;
            _topics.Presence.Leave(topic, this);
            return _topics.Unsubscribe(topic, this);
        }
    }

    /// <summary>Publishes <paramref name="message"/> to every subscriber of <paramref name="topic"/> but this
    /// connection (uWebSockets' <c>ws.publish</c>), on this server and, through its backplane, on every
    /// other; never waits. Returns how many it was queued to on this server.</summary>
    public int Publish(string topic, PreparedMessage message) => Publish(topic, message, includeSelf: false);

    /// <summary>As <see cref="Publish(string, PreparedMessage)"/>, to this connection too when
    /// <paramref name="includeSelf"/> (a chat line its sender sees with the position it got).</summary>
    public int Publish(string topic, PreparedMessage message, bool includeSelf)
    {
        ArgumentException.ThrowIfNullOrEmpty(topic);
        ArgumentNullException.ThrowIfNull(message);
        return _topics.Publish(topic, message, except: includeSelf ? null : this);
    }

    /// <summary>The members of <paramref name="topic"/>'s presence, on every server sharing the backplane
    /// (as <see cref="Hosting.WebSocketServer.GetPresenceAsync"/>).</summary>
    public ValueTask<IReadOnlyList<PresenceMember>> GetPresenceAsync(string topic, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(topic);
        return _topics.Presence.ListAsync(topic, cancellationToken);
    }

    /// <summary>The topics this connection subscribes to now (a snapshot).</summary>
    public IReadOnlyCollection<string> Topics
    {
        get
        {
            if (Volatile.Read(ref _subscriptionsGate) is not { } gate) return [];
            lock (gate) return _subscriptions is null ? [] : [.. _subscriptions];
        }
    }

    /// <summary>The connection has ended: no more subscriptions, and those it had are dropped.</summary>
    internal void EndSubscriptions()
    {
        // No gate yet: the shared one becomes it, so a subscription racing with the end still sees the end.
        lock (Interlocked.CompareExchange(ref _subscriptionsGate, EndedGate, null) ?? EndedGate)
        {
            _topics.Presence.Forget(this);
            if (_subscriptions is null) return;
            foreach (string topic in _subscriptions) _topics.Unsubscribe(topic, this);
            _subscriptions = null;
        }
    }

    internal void OnHeartbeat(long now)
    {
        RateLimiter?.Replenish();
        if (CloseWhenLifetimeIsOver(now)) return;
        // A reply waiting for room holds the turn, and no handler runs meanwhile: a peer that neither
        // reads nor sends must still be found idle, so the check runs here rather than wait for the turn,
        // even when a tick posted before the wait began is still waiting for that turn.
        if (_live.HasSpaceWaiter)
        {
            if (_liveness.IsDue(now)) _liveness.Check(this, _transport);
        }
        else if (_liveness.IsCheckDue(now))
        {
            Mailbox.PostTick();
        }
    }

    internal void Complete() => LazyCompletion.Complete(ref _completion);

    /// <summary>A keep-alive ping, tracked for the round-trip time; false when the connection is closing.</summary>
    internal bool SendKeepAlivePing() => SendTrackedPing(null) != 0;

    // 0 when the ping could not be queued.
    private ulong SendTrackedPing(TaskCompletionSource<TimeSpan>? pong)
    {
        Span<byte> payload = stackalloc byte[PingTracker.PayloadLength];
        ulong id = _liveness.Begin(payload, pong);
        if (_live.SendControl(ping: true, payload) == SendStatus.Queued) return id;
        _liveness.Forget(id);
        return 0;
    }

    bool IMailboxOwner.HasEnded => _live.HasEnded;

    bool ITopicSubscriber.Deliver(PreparedMessage message) => _live.SendPrepared(message) == SendStatus.Queued;

    bool ITopicSubscriber.Subscribe(string topic, out Task ready) => Subscribe(topic, out ready);

    /// <summary>An item from the mailbox, in the connection's turn: the handler's.</summary>
    ValueTask IMailboxOwner.DeliverMailAsync(object? item) => Calls.DeliverItemAsync(item);

    /// <summary>The mailbox's keep-alive tick, in the connection's turn.</summary>
    void IMailboxOwner.CheckLiveness() => _liveness.Check(this, _transport);

    private async ValueTask SendAsync<T>(Func<LiveSession, T, bool, SendStatus> write, T payload, CancellationToken cancellationToken)
    {
        // Waiting, the queue limit is soft: wait until under it, then queue regardless of size, so one
        // message larger than the limit can still be sent. Under the other policies a full queue refuses.
        bool wait = _live.SlowConsumer == SlowConsumerPolicy.Wait;
        // A message being sent in parts goes first: this one waits for its last frame rather than be held.
        if (_live.IsSendingParts) await _live.WhenPartsSentAsync(cancellationToken).ConfigureAwait(false);
        if (wait) await _live.WaitForSpaceAsync(cancellationToken).ConfigureAwait(false);
        switch (write(_live, payload, wait))
        {
            case SendStatus.Queued: return;
            case SendStatus.QueueFull: throw new SendQueueFullException(Id);
            default: throw new ConnectionClosedException(Id);
        }
    }

    private static ReadOnlySpan<byte> CheckControl(ReadOnlySpan<byte> data)
    {
        HandleResult.ThrowIfControlPayloadTooLong(data.Length, nameof(data));
        return data;
    }
}
