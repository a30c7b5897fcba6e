using System.Collections.Concurrent;
using Microsoft.Extensions.Time.Testing;

namespace WsServer.Tests.TestSupport;

/// <summary>A fake clock that also counts the one-shot timers made on it, by due time, so a test can wait
/// until the server has armed a deadline before it steps the clock to either side of it: a deadline armed
/// after the step would start late, and the test would see it neither early nor on time.</summary>
/// <remarks>Timers run inside <see cref="FakeTimeProvider.Advance"/>, on the test's thread, so what a timer
/// does by itself (a flag, a cut socket) is there when the step returns.</remarks>
public sealed class FakeClock : FakeTimeProvider
{
    private readonly ConcurrentDictionary<TimeSpan, int> _armed = new();

    /// <summary>Waits until at least <paramref name="count"/> one-shot timers due <paramref name="dueTime"/>
    /// after their making have been made; returns whether they were, for the test to assert.</summary>
    public Task<bool> ArmedAsync(TimeSpan dueTime, int count = 1) =>
        Timeouts.Eventually(() => _armed.GetValueOrDefault(dueTime) >= count);

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        // Counted once made: its due time is then fixed on this clock.
        ITimer timer = base.CreateTimer(callback, state, dueTime, period);
        if (period == Timeout.InfiniteTimeSpan) _armed.AddOrUpdate(dueTime, 1, static (_, n) => n + 1);
        return timer;
    }
}
