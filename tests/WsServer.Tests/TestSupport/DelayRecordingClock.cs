using System.Threading.Channels;
using Microsoft.Extensions.Time.Testing;

namespace WsServer.Tests.TestSupport;

/// <summary>A fake clock that hands the test each one-shot timer's due time as it is made, in order, so a test can
/// read the waits code asks for (a backoff's, with its jitter) and then step the clock past each.</summary>
public sealed class DelayRecordingClock : FakeTimeProvider
{
    private readonly Channel<TimeSpan> _requested = Channel.CreateUnbounded<TimeSpan>();

    /// <summary>The due time of the next one-shot timer made, waiting until one is.</summary>
    public async Task<TimeSpan> NextDelayAsync() => await _requested.Reader.ReadAsync(Timeouts.Token());

    /// <summary>Whether a one-shot timer was made that <see cref="NextDelayAsync"/> has not returned.</summary>
    public bool HasUnreadDelay => _requested.Reader.TryPeek(out _);

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        ITimer timer = base.CreateTimer(callback, state, dueTime, period);
        if (period == Timeout.InfiniteTimeSpan) _requested.Writer.TryWrite(dueTime);
        return timer;
    }
}
