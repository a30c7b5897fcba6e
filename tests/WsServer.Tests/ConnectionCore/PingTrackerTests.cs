using Microsoft.Extensions.Time.Testing;
using WsServer.Connections;

namespace WsServer.Tests.ConnectionCore;

/// <summary>A ping's wait for its pong, on a fake clock: the pong timeout on both sides, and 0 as no timeout.</summary>
public sealed class PingTrackerTests
{
    private readonly FakeTimeProvider _time = new();

    [Fact]
    public async Task AWaitFailsAtThePongTimeoutAndNotBefore()
    {
        var pings = new PingTracker(new PingPolicy(_time, TimeSpan.FromSeconds(10), Metrics: null));
        Task<TimeSpan> waiting = Begin(pings);

        _time.Advance(TimeSpan.FromSeconds(10) - TimeSpan.FromTicks(1));
        Assert.False(waiting.IsCompleted, "failed before the pong timeout");
        _time.Advance(TimeSpan.FromTicks(1));

        await Assert.ThrowsAsync<TimeoutException>(() => waiting);
    }

    [Fact]
    public async Task AZeroPongTimeoutWaitsUntilThePong()
    {
        var pings = new PingTracker(new PingPolicy(_time, TimeSpan.Zero, Metrics: null));
        byte[] payload = new byte[PingTracker.PayloadLength];
        var pong = new TaskCompletionSource<TimeSpan>(TaskCreationOptions.RunContinuationsAsynchronously);
        ulong id = pings.Begin(payload, pong);
        Task<TimeSpan> waiting = pings.WaitForPongAsync(id, pong.Task, CancellationToken.None);

        _time.Advance(TimeSpan.FromDays(30));
        Assert.False(waiting.IsCompleted, "a zero pong timeout should not time out");
        pings.OnPong(payload);

        Assert.Equal(TimeSpan.FromDays(30), await waiting.WaitAsync(TimeSpan.FromSeconds(30)));
    }

    private static Task<TimeSpan> Begin(PingTracker pings)
    {
        var pong = new TaskCompletionSource<TimeSpan>(TaskCreationOptions.RunContinuationsAsynchronously);
        ulong id = pings.Begin(new byte[PingTracker.PayloadLength], pong);
        return pings.WaitForPongAsync(id, pong.Task, CancellationToken.None);
    }
}
