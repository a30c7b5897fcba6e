using WsServer.Protocol.Closing;

namespace WsServer.Connections;

internal sealed partial class ConnectionLoop
{
    private long _lastReceived;
    private long _pingedAfter = -1;
    private WebSocketConnection? _connection; // while the WebSocket session runs

    /// <summary>Notes that the peer sent something: it is alive.</summary>
    private void MarkReceived() => Volatile.Write(ref _lastReceived, _server.Time.GetTimestamp());

    /// <summary>Called by the server's once-a-second heartbeat (one timer for all connections, not
    /// one per connection): pings a peer that has been silent for the keep-alive interval, and closes
    /// with 1000 one that stayed silent for the idle timeout, ping unanswered.</summary>
    public void OnHeartbeat(long now)
    {
        WebSocketConnection? connection = Volatile.Read(ref _connection);
        if (connection is null || !connection.IsOpen) return;
        long last = Volatile.Read(ref _lastReceived);
        TimeSpan silent = _server.Time.GetElapsedTime(last, now);
        if (IsPast(silent, _server.Options.IdleTimeout))
        {
            connection.Close(CloseCode.NormalClosure, "idle timeout");
        }
        else if (IsPast(silent, _server.Options.KeepAliveInterval) && Interlocked.Exchange(ref _pingedAfter, last) != last)
        {
            // One ping per silence: a live peer's pong moves _lastReceived and re-arms it (§5.5.2).
            connection.Ping();
        }
    }

    // Timeout.InfiniteTimeSpan (negative) means never.
    private static bool IsPast(TimeSpan elapsed, TimeSpan limit) => limit > TimeSpan.Zero && elapsed >= limit;
}
