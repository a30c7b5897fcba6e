using WsServer.Diagnostics;
using WsServer.Protocol.Closing;
using WsServer.Transport;

namespace WsServer.Connections;

/// <summary>
/// Keep-alive and idle detection, decided in the connection's own turn. The server's one heartbeat
/// (once a second, for all connections) only asks <see cref="IsCheckDue"/> and posts a tick to the
/// mailbox (a flag there, not a queued item); the tick is judged when the connection is free, which is when a busy handler or a paused
/// read can be told apart from a silent peer: bytes waiting unread are signs of life too.
/// </summary>
/// <remarks>A peer silent for the keep-alive interval is pinged (once per silence); if no pong comes
/// within the pong timeout, it is taken for gone (a half-open TCP connection) and closed with 1011. A
/// peer silent for the idle timeout is closed with 1000. It is the connection's <see cref="PingTracker"/> too (the
/// keep-alive pings are tracked with the application's): one object, one policy.</remarks>
internal sealed class Liveness(LivenessPolicy policy) : PingTracker(policy)
{
    private long _lastReceived = policy.Time.GetTimestamp();
    private long _pingedAfter = -1;
    private long _pongDueSince = -1;
    private int _tickPending;

    /// <summary>The server's clock, which every deadline of the connection runs on.</summary>
    public TimeProvider Time => Policy.Time;

    private LivenessPolicy Timeouts => (LivenessPolicy)Policy;

    /// <summary>The peer sent something (the session loop, at each read).</summary>
    public void MarkReceived() => Volatile.Write(ref _lastReceived, Time.GetTimestamp());

    /// <summary>A pong arrived (the session loop): any pong answers the keep-alive, and one that echoes a ping of
    /// ours completes it (and the pings before it).</summary>
    public override void OnPong(ReadOnlySpan<byte> payload)
    {
        Volatile.Write(ref _pongDueSince, -1);
        base.OnPong(payload);
    }

    /// <summary>True, once per due check, when the peer has been silent long enough to ping or close
    /// it, or a keep-alive pong is overdue: a tick is to be posted.</summary>
    public bool IsCheckDue(long now) => IsDue(now) && Interlocked.Exchange(ref _tickPending, 1) == 0;

    /// <summary>True whenever a check would act, whether or not a tick is pending: for the check the heartbeat
    /// runs itself while the turn is held (a posted tick may be waiting behind that turn).</summary>
    public bool IsDue(long now)
    {
        long last = Volatile.Read(ref _lastReceived);
        TimeSpan silent = Time.GetElapsedTime(last, now);
        long pongDue = Volatile.Read(ref _pongDueSince);
        LivenessPolicy timeouts = Timeouts;
        return IsPast(silent, timeouts.IdleTimeout)
            || (IsPast(silent, timeouts.KeepAliveInterval) && Volatile.Read(ref _pingedAfter) != last)
            || (pongDue >= 0 && IsPast(Time.GetElapsedTime(pongDue, now), timeouts.PongTimeout));
    }

    /// <summary>In the connection's turn: pings, or closes, as the silence calls for.</summary>
    public void Check(WebSocketConnection connection, ConnectionTransport transport)
    {
        Volatile.Write(ref _tickPending, 0);
        if (!connection.IsOpen) return;
        if (transport.HasUnreadBytes)
        {
            // Bytes the connection has not had time to read, a pong among them perhaps: alive.
            MarkReceived();
            return;
        }
        long now = Time.GetTimestamp();
        long last = Volatile.Read(ref _lastReceived);
        long pongDue = Volatile.Read(ref _pongDueSince);
        LivenessPolicy timeouts = Timeouts;
        if (pongDue >= 0 && IsPast(Time.GetElapsedTime(pongDue, now), timeouts.PongTimeout))
        {
            connection.Close(CloseCode.InternalError, "keep-alive ping timeout");
        }
        else if (IsPast(Time.GetElapsedTime(last, now), timeouts.IdleTimeout))
        {
            connection.Close(CloseCode.NormalClosure, "idle timeout");
        }
        else if (IsPast(Time.GetElapsedTime(last, now), timeouts.KeepAliveInterval) && _pingedAfter != last)
        {
            Volatile.Write(ref _pingedAfter, last);
            if (connection.SendKeepAlivePing()) Volatile.Write(ref _pongDueSince, now);
        }
    }

    // Timeout.InfiniteTimeSpan (negative) means never.
    private static bool IsPast(TimeSpan elapsed, TimeSpan limit) => limit > TimeSpan.Zero && elapsed >= limit;
}

/// <summary>What every connection's <see cref="Liveness"/> judges by: the server's clock, timeouts and instruments, one
/// object for all its connections rather than a copy in each.</summary>
internal sealed record LivenessPolicy(TimeProvider Time, TimeSpan KeepAliveInterval, TimeSpan PongTimeout, TimeSpan IdleTimeout,
    ServerInstruments? Metrics = null) : PingPolicy(Time, PongTimeout, Metrics);
