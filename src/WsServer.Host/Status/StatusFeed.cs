using System.Buffers;
using System.Collections.Concurrent;
using WsServer.Connections;
using WsServer.PubSub;
using WsServer.Routing;

namespace WsServer.Host.Status;

/// <summary>
/// The status page's WebSocket: a viewer the access rule lets in (else 403 before the upgrade) gets the
/// last snapshot at once, then one a second. The snapshot is encoded once and queued to each viewer by
/// reference; a viewer that reads too slowly misses snapshots (<see cref="WebSocketConnection.TrySend(PreparedMessage)"/>),
/// and what viewers send is ignored. Viewers are held here rather than in a topic, so the feed never
/// shares the handlers' topic names, nor reaches other nodes over a backplane.
/// </summary>
internal sealed class StatusFeed(StatusAccess access, StatusListener listener, TimeProvider time)
    : IWebSocketHandler<WebSocketConnection>, IUpgradeFilter, IDisposable
{
    /// <summary>How often a snapshot is taken and pushed.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);

    private readonly ConcurrentDictionary<WebSocketConnection, byte> _viewers = new();
    private PreparedMessage? _latest;
    private ITimer? _timer;

    /// <summary>The backplane's state for the snapshots: <c>none</c>, <c>connected</c> or <c>away</c>.</summary>
    public Func<string> Backplane { get; set; } = static () => "none";

    /// <summary>Takes a snapshot every <see cref="Interval"/> from now on and pushes it to every viewer.</summary>
    public void Start() => _timer ??= time.CreateTimer(static feed => ((StatusFeed)feed!).Push(), this, Interval, Interval);

    /// <summary>Takes a snapshot and pushes it to every viewer. A timer's calls may overlap when one is slow:
    /// the lock keeps sampling to one at a time.</summary>
    public void Push()
    {
        PreparedMessage message;
        lock (_viewers)
        {
            var json = new ArrayBufferWriter<byte>(2048);
            listener.Sample(Backplane()).WriteJson(json);
            message = PreparedMessage.Text(json.WrittenSpan);
            Volatile.Write(ref _latest, message);
        }
        foreach (WebSocketConnection viewer in _viewers.Keys) viewer.TrySend(message);
    }

    public ValueTask<UpgradeDecision> OnUpgradeAsync(UpgradeContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return new(access.Allows(context.RemoteEndPoint.Address, context.GetQueryValue("token"))
            ? UpgradeDecision.Accepted
            : UpgradeDecision.Reject(403, "forbidden"));
    }

    public ValueTask<WebSocketConnection> InitAsync(WebSocketConnection connection, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connection);
        _viewers.TryAdd(connection, 0);
        // The page shows figures at once rather than after up to a second of nothing.
        if (Volatile.Read(ref _latest) is { } latest) connection.TrySend(latest);
        return new(connection);
    }

    public ValueTask<HandleResult<WebSocketConnection>> HandleAsync(WebSocketMessage message, WebSocketConnection connection,
        CancellationToken cancellationToken) => new(HandleResult.NoReply(connection));

    public ValueTask ClosedAsync(ConnectionClosed closed, WebSocketConnection connection, CancellationToken cancellationToken)
    {
        _viewers.TryRemove(connection, out _);
        return ValueTask.CompletedTask;
    }

    public void Dispose()
    {
        _timer?.Dispose();
        listener.Dispose();
    }
}
