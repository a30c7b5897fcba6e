using WsServer.Protocol.Closing;
using WsServer.Transport;

namespace WsServer.Connections;

/// <summary>
/// Keep-alive and idle detection, decided in the connection's own turn. The server's one heartbeat
/// (once a second, for all connections) only asks <see cref="IsCheckDue"/> and posts a tick to the
/// mailbox; the tick is judged when the connection is free, which is when a busy handler or a paused
/// read can be told apart from a silent peer: bytes waiting unread are signs of life too.
/// </summary>
internal sealed class Liveness(TimeProvider time, TimeSpan keepAliveInterval, TimeSpan idleTimeout)
{
    /// <summary>The mailbox item that asks for a check.</summary>
    public static readonly object Tick = new();

    private long _lastReceived = time.GetTimestamp();
    private long _pingedAfter = -1;
    private int _tickPending;

    /// <summary>The peer sent something (the session loop, at each read).</summary>
    public void MarkReceived() => Volatile.Write(ref _lastReceived, time.GetTimestamp());

    /// <summary>True, once per due check, when the peer has been silent long enough to ping or close it.</summary>
    public bool IsCheckDue(long now)
    {
        long last = Volatile.Read(ref _lastReceived);
        TimeSpan silent = time.GetElapsedTime(last, now);
        bool due = IsPast(silent, idleTimeout) || (IsPast(silent, keepAliveInterval) && Volatile.Read(ref _pingedAfter) != last);
        return due && Interlocked.Exchange(ref _tickPending, 1) == 0;
    }

    /// <summary>In the connection's turn: pings a peer silent for the keep-alive interval (once per
    /// silence: its pong re-arms it, RFC 6455 §5.5.2), closes with 1000 one silent for the idle timeout.</summary>
    public void Check(LiveSession live, OpenTransport transport)
    {
        Volatile.Write(ref _tickPending, 0);
        if (!live.IsOpen) return;
        if (transport.HasUnreadBytes)
        {
            MarkReceived();
            return;
        }
        long last = Volatile.Read(ref _lastReceived);
        TimeSpan silent = time.GetElapsedTime(last, time.GetTimestamp());
        if (IsPast(silent, idleTimeout))
        {
            live.Close(CloseCode.NormalClosure, "idle timeout");
        }
        else if (IsPast(silent, keepAliveInterval) && _pingedAfter != last)
        {
            Volatile.Write(ref _pingedAfter, last);
            live.SendControl(ping: true, default);
        }
    }

    // Timeout.InfiniteTimeSpan (negative) means never.
    private static bool IsPast(TimeSpan elapsed, TimeSpan limit) => limit > TimeSpan.Zero && elapsed >= limit;
}
