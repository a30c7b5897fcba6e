using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using WsServer.Connections;

namespace WsServer.Hosting;

/// <summary>What every connection of one server shares: options, logger, the live-connection registry
/// and the two shutdown signals.</summary>
internal sealed class ServerContext(ServerOptions options, ILogger logger)
{
    private static long s_lastConnectionId;
    private readonly ConcurrentDictionary<long, WebSocketConnection> _connections = new();
    private readonly ConcurrentDictionary<long, ConnectionLoop> _loops = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly CancellationTokenSource _aborting = new();

    public ServerOptions Options { get; } = options;

    public ILogger Logger { get; } = logger;

    public TimeProvider Time => Options.TimeProvider;

    /// <summary>Cancelled when the server stops accepting: handshakes in progress are abandoned.</summary>
    public CancellationToken Stopping => _stopping.Token;

    /// <summary>Cancelled when the drain time is over: every connection is cut.</summary>
    public CancellationToken Aborting => _aborting.Token;

    /// <summary>The open connections, enumerated live: unlike <c>Values</c>, enumerating the dictionary
    /// takes no lock and copies nothing, which matters to a broadcast per message.</summary>
    public IEnumerable<WebSocketConnection> Connections
    {
        get
        {
            foreach (KeyValuePair<long, WebSocketConnection> entry in _connections) yield return entry.Value;
        }
    }

    public int ConnectionCount => _connections.Count;

    public static long NextConnectionId() => Interlocked.Increment(ref s_lastConnectionId);

    public void Register(WebSocketConnection connection, ConnectionLoop loop)
    {
        _loops[connection.Id] = loop;
        _connections[connection.Id] = connection;
    }

    public void Unregister(WebSocketConnection connection)
    {
        _connections.TryRemove(connection.Id, out _);
        _loops.TryRemove(connection.Id, out _);
    }

    /// <summary>Runs each open connection's keep-alive and idle checks.</summary>
    public void Heartbeat()
    {
        long now = Time.GetTimestamp();
        foreach (ConnectionLoop loop in _loops.Values) loop.OnHeartbeat(now);
    }

    public void Stop() => _stopping.Cancel();

    public void Abort() => _aborting.Cancel();
}
