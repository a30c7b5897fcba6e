using System.Buffers.Binary;
using WsServer.Diagnostics;

namespace WsServer.Connections;

/// <summary>
/// The pings this side sent and awaits pongs for, on the server's connections and in the client alike:
/// each carries an 8-byte number, and the pong that echoes it (RFC 6455 §5.5.3: "identical Application
/// data") gives the round-trip time on <c>time</c>, the clock the pong timeout runs on too. Keep-alive
/// pings are tracked as well, so the last round-trip time is known without the application asking.
/// Allocates only while a ping is outstanding: the list goes when the last pong arrives. Guarded by the
/// tracker's own monitor (it is never handed out of its owner, so nothing else locks it): a lock object
/// would be one more thing every connection holds.
/// </summary>
/// <remarks>Waiters are completed under the monitor: they must run their continuations asynchronously. Not sealed:
/// a server connection's <see cref="Liveness"/> is its ping tracker, so the connection holds one object for both.</remarks>
internal class PingTracker(PingPolicy policy)
{
    public const int PayloadLength = 8;

    /// <summary>The clock, the pong timeout and the instruments, shared by every tracker of a server or a client.</summary>
    protected PingPolicy Policy { get; } = policy;

    private List<(ulong Id, long SentAt, TaskCompletionSource<TimeSpan>? Waiter)>? _pending;
    private ulong _lastId;
    private long _lastRoundTripTicks = -1;

    /// <summary>The last measured round-trip time; null before the first pong.</summary>
    public TimeSpan? LastRoundTripTime
    {
        get
        {
            long ticks = Volatile.Read(ref _lastRoundTripTicks);
            return ticks < 0 ? null : TimeSpan.FromTicks(ticks);
        }
    }

    /// <summary>Records a ping about to be sent and writes its payload; <paramref name="waiter"/> (if
    /// any) completes with the round-trip time when its pong arrives.</summary>
    public ulong Begin(Span<byte> payload, TaskCompletionSource<TimeSpan>? waiter)
    {
        lock (this)
        {
            ulong id = ++_lastId;
            BinaryPrimitives.WriteUInt64BigEndian(payload, id);
            (_pending ??= []).Add((id, Policy.Time.GetTimestamp(), waiter));
            // A peer that never answers must not grow this list: forget the oldest keep-alive pings.
            int stale = _pending.Count > 16 ? _pending.FindIndex(p => p.Waiter is null) : -1;
            if (stale >= 0) _pending.RemoveAt(stale);
            return id;
        }
    }

    /// <summary>Waits for the pong to ping <paramref name="id"/> (begun with <paramref name="pong"/>):
    /// its round-trip time, or <see cref="TimeoutException"/> when the pong timeout passes first. The
    /// ping is forgotten either way.</summary>
    public async Task<TimeSpan> WaitForPongAsync(ulong id, Task<TimeSpan> pong, CancellationToken cancellationToken)
    {
        try
        {
            // 0 (or Timeout.InfiniteTimeSpan) is no timeout, as in the options.
            TimeSpan timeout = Policy.PongTimeout > TimeSpan.Zero ? Policy.PongTimeout : Timeout.InfiniteTimeSpan;
            return await pong.WaitAsync(timeout, Policy.Time, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            Forget(id);
        }
    }

    /// <summary>Forgets a ping that was not sent or whose wait ended.</summary>
    public void Forget(ulong id)
    {
        lock (this)
        {
            if (_pending is null) return;
            _pending.RemoveAll(p => p.Id == id);
            if (_pending.Count == 0) _pending = null;
        }
    }

    /// <summary>A pong arrived: completes the ping it answers, if it is one of ours, and the pings before
    /// it, which §5.5.3 allows a pong to answer too ("only the most recently processed Ping").</summary>
    public virtual void OnPong(ReadOnlySpan<byte> payload)
    {
        if (payload.Length != PayloadLength) return;
        ulong id = BinaryPrimitives.ReadUInt64BigEndian(payload);
        lock (this)
        {
            int index = _pending?.FindIndex(p => p.Id == id) ?? -1;
            if (index < 0) return;
            long now = Policy.Time.GetTimestamp();
            for (int i = 0; i <= index; i++)
            {
                (_, long sentAt, TaskCompletionSource<TimeSpan>? waiter) = _pending![i];
                TimeSpan roundTrip = Policy.Time.GetElapsedTime(sentAt, now);
                if (i == index) Volatile.Write(ref _lastRoundTripTicks, roundTrip.Ticks);
                Policy.Metrics?.RoundTrip(roundTrip);
                waiter?.TrySetResult(roundTrip);
            }
            _pending!.RemoveRange(0, index + 1);
            if (_pending.Count == 0) _pending = null; // answered: an idle connection holds no list
        }
    }

    /// <summary>The connection ended: every waiting ping fails with the error <paramref name="error"/>
    /// makes (only when one waits).</summary>
    public void FailAll(Func<Exception> error)
    {
        List<(ulong Id, long SentAt, TaskCompletionSource<TimeSpan>? Waiter)>? pending;
        lock (this)
        {
            pending = _pending;
            _pending = null;
        }
        if (pending is null) return;
        foreach ((_, _, TaskCompletionSource<TimeSpan>? waiter) in pending) waiter?.TrySetException(error());
    }
}

/// <summary>What a <see cref="PingTracker"/> measures by: the clock the pong timeout runs on, the timeout, and the
/// instruments round trips are recorded in (the server's; the client has none).</summary>
internal record PingPolicy(TimeProvider Time, TimeSpan PongTimeout, ServerInstruments? Metrics);
