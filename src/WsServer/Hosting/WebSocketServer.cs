using System.Diagnostics.Metrics;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using WsServer.Connections;
using WsServer.Diagnostics;
using WsServer.Protocol.Closing;
using WsServer.Protocol.Handshake;
using WsServer.PubSub;
using WsServer.Routing;
using WsServer.Transport;
using WsServer.Transport.Epoll;

namespace WsServer.Hosting;

/// <summary>
/// A WebSocket server: listens, serves at most <see cref="ServerOptions.Workers"/> connections at once
/// (fewer when the file descriptor limit leaves room for fewer sockets; see <see cref="DescriptorLimit"/>),
/// and gives each connection's messages to its route's handler. Start it with <see cref="StartAsync"/>;
/// <see cref="StopAsync(CancellationToken)"/> stops accepting, closes every connection with 1001 and waits for them.
/// </summary>
public sealed partial class WebSocketServer : IAsyncDisposable
{
    private readonly ServerContext _context;
    private readonly SemaphoreSlim _slots;
    // min(Workers, the descriptor cap): the slots an accepted socket takes.
    private readonly int _capacity;
    private int _capReachedLogged;
    private int _waitingForSlot; // accept loops waiting for a worker: nothing more is accepted meanwhile
    private readonly RunningConnections _running = new();
    private readonly Action _connectionFinished;
    private readonly List<Listener> _listeners = [];
    private readonly List<Task> _acceptLoops = [];
    private ITimer? _heartbeat;
    private int _state; // 0 new, 1 started, 2 stopped
    private readonly bool _ownsMeter;

    /// <summary>Creates a server; nothing listens until <see cref="StartAsync"/>.</summary>
    /// <param name="options">What to listen on and serve; validated here.</param>
    /// <param name="loggerFactory">Where the server logs (category <c>WsServer</c>); none when null.</param>
    /// <param name="meterFactory">Where the server's meter is created (a host's, from DI); a meter of its
    /// own when null. See <see cref="ServerMetrics"/> for the instruments.</param>
    public WebSocketServer(ServerOptions options, ILoggerFactory? loggerFactory = null, IMeterFactory? meterFactory = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        ILogger logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger("WsServer");
        _context = new ServerContext(options, logger, meterFactory);
        _ownsMeter = meterFactory is null;
        _capacity = options.DescriptorCap() is { } cap && cap < options.Workers ? cap : options.Workers;
        _slots = new SemaphoreSlim(_capacity, _capacity);
        _connectionFinished = ConnectionFinished;
    }

    private bool DescriptorBound => _capacity < _context.Options.Workers;

    /// <summary>The most sockets served at once: <see cref="ServerOptions.Workers"/>, or fewer when the file
    /// descriptor limit (<c>ulimit -n</c>) leaves room for fewer, as read when the server was created.</summary>
    public int Capacity => _capacity;

    /// <summary>The seed's start: a port, a number of workers and a handler, on loopback.</summary>
    public static WebSocketServer Create<TState>(int port, int workers, IWebSocketHandler<TState> handler,
        ILoggerFactory? loggerFactory = null) =>
        new(new ServerOptions { Port = port, Workers = workers }.UseHandler(handler), loggerFactory);

    /// <summary>Where the server listens (the real port when <see cref="ServerOptions.Port"/> was 0).</summary>
    public IReadOnlyList<IPEndPoint> LocalEndPoints => _listeners.ConvertAll(l => l.Socket.EndPoint);

    /// <summary>What the server was made with.</summary>
    internal ServerOptions Options => _context.Options;

    /// <summary>The open WebSocket connections (a snapshot; for broadcasts).</summary>
    public IReadOnlyCollection<WebSocketConnection> Connections => [.. _context.Connections];

    /// <summary>The number of open WebSocket connections.</summary>
    public int ConnectionCount => _context.ConnectionCount;

    /// <summary>Loads the TLS certificates, binds every listener and starts accepting. Throws
    /// <see cref="InvalidOperationException"/> when no route is mapped, naming the file when a certificate cannot be loaded
    /// (path, password, key), and <see cref="IOException"/> naming the address (around the <see cref="SocketException"/>) when
    /// an address cannot be bound;
    /// nothing listens then.</summary>
    public Task StartAsync(CancellationToken cancellationToken = default)
    {
        _context.Options.ValidateRoutes();
        if (Interlocked.CompareExchange(ref _state, 1, 0) != 0) throw new InvalidOperationException("The server was already started.");
        ServerOptions options = _context.Options;
        try
        {
            // Every certificate first, so a bad one fails the start before any port is bound.
            List<(ListenerOptions Options, TlsTransport? Tls)> planned = [.. options.EffectiveListeners().Select(l =>
                (l, l.Tls is null ? null : new TlsTransport(l.Tls, _context.Time, _context.Logger)))];
            foreach ((ListenerOptions listenerOptions, TlsTransport? tls) in planned)
            {
                var socket = new SocketListener(listenerOptions.Address, listenerOptions.Port, options.ListenBacklog);
                var listener = new Listener(socket, tls, listenerOptions.ProxyProtocol);
                _listeners.Add(listener);
                if (tls is null && !listener.ProxyProtocol && options.EpollTransport && EpollInterop.IsSupported)
                    listener.AcceptOnEpoll(options.InlineIo, _context.Time);
            }
        }
        catch
        {
            foreach (Listener listener in _listeners) listener.Dispose();
            _listeners.Clear();
            // A start that failed served no one: stopping then has nothing to drain, and says nothing.
            Volatile.Write(ref _state, 2);
            throw;
        }
        if (DescriptorBound) Log.DescriptorCapBelowWorkers(_context.Logger, _capacity, options.Workers);
        foreach (Listener listener in _listeners)
        {
            Log.Listening(_context.Logger, listener.Scheme, listener.Socket.EndPoint, listener.ProxyProtocol ? " (PROXY protocol)" : "");
            // Not in the caller's execution context: a connection served where it is accepted must not inherit it.
            using (ExecutionContext.SuppressFlow()) _acceptLoops.Add(Task.Run(() => AcceptLoopAsync(listener)));
        }
        StartHeartbeat();
        return Task.CompletedTask;
    }

    /// <summary>Starts the server with no listener of its own, for connections another HTTP server accepts
    /// and upgrades (WsServer.AspNetCore's endpoints, through <see cref="AcceptUpgradeAsync"/>): the keep-alive
    /// and idle checks run; nothing is bound. <see cref="StopAsync(CancellationToken)"/> drains as ever.</summary>
    /// <exception cref="InvalidOperationException">The server was already started.</exception>
    public void StartWithoutListeners()
    {
        if (Interlocked.CompareExchange(ref _state, 1, 0) != 0) throw new InvalidOperationException("The server was already started.");
        StartHeartbeat();
    }

    private void StartHeartbeat()
    {
        ServerOptions options = _context.Options;
        if (!options.CompressionSupported && options.CompressionWanted) Log.CompressionUnavailable(_context.Logger, "libz.so.1");
        _heartbeat = _context.Time.CreateTimer(static s => ((ServerContext)s!).Heartbeat(), _context,
            TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));
    }

    /// <summary>Queues <paramref name="message"/> to every open connection, skipping those whose send
    /// queue is full; returns how many it was queued to.</summary>
    public int Broadcast(PreparedMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        int queued = 0;
        using WriteStarts.Scope starts = WriteStarts.Batch();
        foreach (WebSocketConnection connection in _context.Connections)
        {
            if (connection.TrySend(message) == SendStatus.Queued) queued++;
        }
        return queued;
    }

    /// <summary>Queues <paramref name="message"/>, encoded once, to every subscriber of <paramref name="topic"/>
    /// but <paramref name="except"/> (the sender, say), in the order of this publisher's calls, and hands it
    /// to the backplane (<see cref="AttachBackplane"/>) for the other servers' subscribers. It never
    /// waits: a subscriber whose send queue is full meets its <see cref="SlowConsumerPolicy"/> (under
    /// <c>Wait</c> it misses the message) and delays no one else. Returns how many it was queued to here.</summary>
    public int Publish(string topic, PreparedMessage message, WebSocketConnection? except = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(topic);
        ArgumentNullException.ThrowIfNull(message);
        return _context.Topics.Publish(topic, message, except);
    }

    /// <summary>As <see cref="Publish"/>, to this server's subscribers only: how a backplane delivers what
    /// another server published.</summary>
    public int PublishLocal(string topic, PreparedMessage message, WebSocketConnection? except = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(topic);
        ArgumentNullException.ThrowIfNull(message);
        return _context.Topics.PublishLocal(topic, message, except);
    }

    /// <summary>Delivers a message of a topic that keeps history, its position known, to this server's
    /// subscribers but the connection <paramref name="exceptConnectionId"/> (0: none): how a shared
    /// <see cref="ITopicHistoryStore"/> hands over what was appended on any server.</summary>
    public void DeliverTopicMessage(TopicMessage message, long exceptConnectionId = 0)
    {
        ArgumentException.ThrowIfNullOrEmpty(message.Topic, nameof(message));
        TopicHistoryOptions options = _context.Options.History.For(message.Topic) ?? new TopicHistoryOptions();
        _context.Topics.Histories.Deliver(message, options, exceptConnectionId);
    }

    /// <summary>Reads <paramref name="topic"/>'s history: what it holds after <paramref name="since"/>, or its
    /// last <paramref name="last"/> messages when null.</summary>
    /// <exception cref="InvalidOperationException">The topic keeps no history.</exception>
    public ValueTask<TopicHistoryPage> ReadHistoryAsync(string topic, TopicPosition? since = null, int last = 100,
        CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(topic);
        TopicHistoryOptions options = _context.Options.History.For(topic)
            ?? throw new InvalidOperationException($"Topic '{topic}' keeps no history: ServerOptions.History.Keep names the topics that do.");
        return _context.Topics.Histories.Store.ReadAsync(topic, since, last, options, cancellationToken);
    }

    /// <summary>Every member of <paramref name="topic"/>'s presence (<see cref="WebSocketConnection.JoinPresence"/>),
    /// on every server sharing the backplane that is alive; its count is the list's.</summary>
    public ValueTask<IReadOnlyList<PresenceMember>> GetPresenceAsync(string topic, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(topic);
        return _context.Topics.Presence.ListAsync(topic, cancellationToken);
    }

    /// <summary>Posts a join or leave that happened on another server to this server's watchers of its topic:
    /// how a shared <see cref="IPresenceStore"/> hands it over.</summary>
    public void DeliverPresenceChange(PresenceChange change)
    {
        ArgumentNullException.ThrowIfNull(change);
        _context.Topics.Presence.Notify(change);
    }

    /// <summary>Joins this server's topics to other servers' through <paramref name="backplane"/> (at most
    /// one at a time): it hears of each topic that has subscribers here, now and as they change, and
    /// relays each <see cref="Publish"/>.</summary>
    /// <exception cref="InvalidOperationException">The server already has a backplane.</exception>
    public void AttachBackplane(ITopicBackplane backplane)
    {
        ArgumentNullException.ThrowIfNull(backplane);
        _context.Topics.Attach(backplane);
    }

    /// <summary>Takes <paramref name="backplane"/> away (it hears every topic closed); publishes stay on
    /// this server from then on.</summary>
    public void DetachBackplane(ITopicBackplane backplane)
    {
        ArgumentNullException.ThrowIfNull(backplane);
        _context.Topics.Detach(backplane);
    }

    /// <summary>The open connection with <paramref name="id"/> (<see cref="ConnectionInfo.Id"/>), to send
    /// to, close or post to from anywhere in the process; false when there is none.</summary>
    public bool TryGetConnection(long id, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out WebSocketConnection? connection) =>
        _context.TryGetConnection(id, out connection);

    /// <summary>Stops accepting (the listeners close; an upgrade still in progress is answered 503),
    /// closes every connection with 1001 (going away), waits up to <see cref="ServerOptions.DrainTimeout"/>
    /// for them to close, then cuts the rest: their handlers' tokens are cancelled and their sockets
    /// closed. Returns at most <see cref="AbortGrace"/> after that, even if a handler ignores its token.</summary>
    public Task StopAsync(CancellationToken cancellationToken = default) =>
        StopAsync(CloseCode.GoingAway, "server shutting down", cancellationToken);

    /// <summary>Stops as <see cref="StopAsync(CancellationToken)"/> does, closing the open connections with
    /// <paramref name="closeCode"/> and <paramref name="reason"/> instead of 1001: 1012 (service restart)
    /// tells clients to come back soon.</summary>
    /// <exception cref="ArgumentException">The code may not be sent on the wire.</exception>
    public async Task StopAsync(CloseCode closeCode, string? reason, CancellationToken cancellationToken = default)
    {
        if (!ClosePayload.IsSendable((ushort)closeCode))
            throw new ArgumentException($"Close code {(ushort)closeCode} may not be sent on the wire.", nameof(closeCode));
        if (Interlocked.Exchange(ref _state, 2) != 1) return;
        _context.Stop();
        if (_heartbeat is not null) await _heartbeat.DisposeAsync().ConfigureAwait(false);
        foreach (Listener listener in _listeners) listener.Dispose();
        await Task.WhenAll(_acceptLoops).ConfigureAwait(false);

        Log.Draining(_context.Logger, Log.Connections(_context.ConnectionCount), (int)closeCode);
        foreach (WebSocketConnection connection in _context.Connections)
            connection.Close(closeCode, reason);
        Task all = _running.AllFinishedAsync();
        if (!await CompletesWithinAsync(all, _context.Options.DrainTimeout, cancellationToken).ConfigureAwait(false))
        {
            Log.DrainAborted(_context.Logger, Log.Connections(_running.Count));
            _context.Abort();
            if (!await CompletesWithinAsync(all, AbortGrace, CancellationToken.None).ConfigureAwait(false))
                Log.HandlersStillRunning(_context.Logger, Log.Connections(_running.Count));
        }
        _context.Abort();
    }

    /// <summary>How long <see cref="StopAsync(CancellationToken)"/> waits, after cutting the connections that outlived the
    /// drain timeout, for their handlers to return: 1 s on <see cref="ServerOptions.TimeProvider"/>.</summary>
    public static TimeSpan AbortGrace { get; } = TimeSpan.FromSeconds(1);

    private async Task<bool> CompletesWithinAsync(Task task, TimeSpan timeout, CancellationToken cancellationToken)
    {
        try
        {
            await task.WaitAsync(timeout, _context.Time, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (Exception ex) when (ex is TimeoutException or OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>Stops the server as <see cref="StopAsync(CancellationToken)"/> does.</summary>
    public async ValueTask DisposeAsync()
    {
        // The slots are not disposed: a handler that outlived the stop still releases its slot when it returns.
        await StopAsync().ConfigureAwait(false);
        if (_ownsMeter) _context.Metrics.Dispose();
    }

    private async Task AcceptLoopAsync(Listener listener)
    {
        CancellationToken stopping = _context.Stopping;
        var backoff = new AcceptBackoff();
        while (true)
        {
            Socket? client = null;
            EpollTransport? accepted = null;
            try
            {
                // A slot first: beyond the capacity, connections wait in the listen backlog.
                await TakeSlotAsync(stopping).ConfigureAwait(false);
                try
                {
                    if (listener.Epoll is { } epoll) accepted = await epoll.AcceptAsync(stopping).ConfigureAwait(false);
                    else client = await listener.Socket.AcceptAsync(stopping).ConfigureAwait(false);
                }
                catch
                {
                    _slots.Release();
                    throw;
                }
            }
            catch (Exception ex) when (stopping.IsCancellationRequested && ex is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }
            catch (SocketException ex) when (ex.SocketErrorCode is SocketError.ConnectionAborted or SocketError.ConnectionReset)
            {
                continue; // the client gave up between SYN and accept; the next one is another connection
            }
            catch (Exception ex)
            {
                // EMFILE, ENFILE, ENOBUFS...: retrying at once fails at once, so pause, longer each time.
                if (backoff.Failures == 0)
                    Log.AcceptFailed(_context.Logger, listener.Socket.EndPoint, (ex as SocketException)?.SocketErrorCode.ToString() ?? ex.GetType().Name, ex.Message);
                if (!await PauseAsync(backoff.Fail(), stopping).ConfigureAwait(false)) return;
                continue;
            }
            if (backoff.Failures > 0)
            {
                Log.AcceptResumed(_context.Logger, listener.Socket.EndPoint, backoff.Failures);
                backoff.Reset();
            }
            if (accepted is not null) Serve(accepted);
            else Serve(client!, listener);
        }
    }

    /// <summary>True while an accept loop waits for a worker to free: a connection that arrives meanwhile
    /// stays in the listen backlog, unaccepted.</summary>
    internal bool IsWaitingForWorker => Volatile.Read(ref _waitingForSlot) > 0;

    private Task TakeSlotAsync(CancellationToken stopping)
    {
        if (_slots.Wait(0)) return Task.CompletedTask;
        // Workers is the operator's choice; the descriptor cap is not, so reaching it is said, once.
        if (DescriptorBound && Interlocked.Exchange(ref _capReachedLogged, 1) == 0) Log.DescriptorCapReached(_context.Logger, _capacity);
        return WaitForSlotAsync(stopping);
    }

    private async Task WaitForSlotAsync(CancellationToken stopping)
    {
        Interlocked.Increment(ref _waitingForSlot);
        try
        {
            await _slots.WaitAsync(stopping).ConfigureAwait(false);
        }
        finally
        {
            Interlocked.Decrement(ref _waitingForSlot);
        }
    }

    /// <summary>Waits <paramref name="delay"/>; false when the server stopped meanwhile.</summary>
    private async Task<bool> PauseAsync(TimeSpan delay, CancellationToken stopping)
    {
        try
        {
            await Task.Delay(delay, _context.Time, stopping).ConfigureAwait(false);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>Serves a WebSocket over <paramref name="transport"/>, a stream another host accepted (no
    /// listener of this server's): it takes a worker, reads the upgrade request, and completes when the
    /// connection has finished.</summary>
    internal async Task ServeAsync(ConnectionTransport transport)
    {
        try
        {
            await TakeSlotAsync(_context.Stopping).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            await transport.DisposeAsync().ConfigureAwait(false); // stopped before it could be served
            throw;
        }
        _running.Started();
        await ConnectionRunner.RunAsync(_context, transport, _connectionFinished).ConfigureAwait(false);
    }

    /// <summary>A connection an epoll loop accepted: served right there when I/O is inline (its upgrade is read on
    /// the thread that accepted it; a handler that blocks holds up that loop, as it does whenever I/O is inline),
    /// else on the thread pool.</summary>
    private void Serve(EpollTransport accepted)
    {
        _running.Started();
        if (_context.Options.InlineIo)
            _ = ConnectionRunner.RunAsync(_context, accepted, _connectionFinished);
        else
            ThreadPool.UnsafeQueueUserWorkItem(static s => _ = ConnectionRunner.RunAsync(s.Context, s.Accepted, s.Finished),
                (Context: _context, Accepted: accepted, Finished: _connectionFinished), preferLocal: false);
    }

    private void Serve(Socket client, Listener listener)
    {
        _running.Started();
        // On the thread pool, so a handler's init that blocks holds up its own connection, not accepting.
        ThreadPool.UnsafeQueueUserWorkItem(static s => _ = ConnectionRunner.RunAsync(s.Context, s.Client, s.Listener, s.Finished),
            (Context: _context, Client: client, Listener: listener, Finished: _connectionFinished), preferLocal: false);
    }

    private void ConnectionFinished()
    {
        _slots.Release();
        _running.Finished();
    }
}
