using System.Buffers.Binary;
using WsServer.Diagnostics;

namespace WsServer.Connections;

/// <summary>
/// The pings this side sent and awaits pongs for: each carries an 8-byte number, and the pong that
/// echoes it (RFC 6455 §5.5.3: "identical Application data") gives the round-trip time. Keep-alive
/// pings are tracked too, so the last round-trip time is known without the application asking.
/// Allocates only while a ping is outstanding: the list goes when the last pong arrives. Guarded by the
/// tracker's own monitor (it is never handed out of the connection, so nothing else locks it): a lock
/// object would be one more thing every connection holds.
/// </summary>
internal sealed class PingTracker(TimeProvider time, ServerInstruments metrics)
{
    public const int PayloadLength = 8;

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
            (_pending ??= []).Add((id, time.GetTimestamp(), waiter));
            // A peer that never answers must not grow this list: forget the oldest keep-alive pings.
            int stale = _pending.Count > 16 ? _pending.FindIndex(p => p.Waiter is null) : -1;
            if (stale >= 0) _pending.RemoveAt(stale);
            return id;
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

    /// <summary>A pong arrived (the session loop): completes the ping it answers, if it is one of ours.</summary>
    public void OnPong(ReadOnlySpan<byte> payload)
    {
        if (payload.Length != PayloadLength) return;
        ulong id = BinaryPrimitives.ReadUInt64BigEndian(payload);
        TaskCompletionSource<TimeSpan>? waiter;
        TimeSpan roundTrip;
        lock (this)
        {
            int index = _pending?.FindIndex(p => p.Id == id) ?? -1;
            if (index < 0) return;
            (_, long sentAt, waiter) = _pending![index];
            // §5.5.3 allows answering only the latest of several pings: the older ones are answered too.
            _pending.RemoveRange(0, index + 1);
            if (_pending.Count == 0) _pending = null; // answered: an idle connection holds no list
            roundTrip = time.GetElapsedTime(sentAt);
        }
        Volatile.Write(ref _lastRoundTripTicks, roundTrip.Ticks);
        metrics.RoundTrip(roundTrip);
        waiter?.TrySetResult(roundTrip);
    }

    /// <summary>The connection ended: every waiting ping fails.</summary>
    public void FailAll(long connectionId)
    {
        List<(ulong Id, long SentAt, TaskCompletionSource<TimeSpan>? Waiter)>? pending;
        lock (this)
        {
            pending = _pending;
            _pending = null;
        }
        if (pending is null) return;
        foreach ((_, _, TaskCompletionSource<TimeSpan>? waiter) in pending) waiter?.TrySetException(new ConnectionClosedException(connectionId));
    }
}
