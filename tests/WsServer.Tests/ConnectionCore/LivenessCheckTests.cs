using Microsoft.Extensions.Time.Testing;
using WsServer.Connections;

namespace WsServer.Tests.ConnectionCore;

/// <summary>When <see cref="Liveness"/> asks for a check, on a fake clock: at the keep-alive interval and the
/// idle timeout of silence, not a tick before, and once per due check. What a check does (ping, close with
/// 1000 or 1011) is TimeoutTests' and LivenessTests', on a real connection.</summary>
public sealed class LivenessCheckTests
{
    private static readonly TimeSpan Tick = TimeSpan.FromTicks(1);
    private readonly FakeTimeProvider _time = new();

    [Theory]
    [InlineData(30, -1)] // keep-alive only
    [InlineData(-1, 60)] // idle only
    [InlineData(30, 60)] // the keep-alive comes first
    public void ACheckIsDueAfterTheFirstSilenceLimitAndNotBefore(int keepAliveSeconds, int idleSeconds)
    {
        var liveness = new Liveness(new LivenessPolicy(_time, Seconds(keepAliveSeconds), TimeSpan.FromSeconds(10), Seconds(idleSeconds)));
        TimeSpan first = TimeSpan.FromSeconds(keepAliveSeconds > 0 ? keepAliveSeconds : idleSeconds);

        _time.Advance(first - Tick);
        Assert.False(liveness.IsCheckDue(_time.GetTimestamp()), "due before the silence limit");
        _time.Advance(Tick);
        Assert.True(liveness.IsCheckDue(_time.GetTimestamp()), "not due at the silence limit");
        Assert.False(liveness.IsCheckDue(_time.GetTimestamp()), "asked twice before the check ran");
    }

    [Fact]
    public void WhatThePeerSendsPutsTheIdleCheckOff()
    {
        var liveness = new Liveness(new LivenessPolicy(_time, System.Threading.Timeout.InfiniteTimeSpan, TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(60)));

        _time.Advance(TimeSpan.FromSeconds(40));
        liveness.MarkReceived();
        _time.Advance(TimeSpan.FromSeconds(60) - Tick);
        Assert.False(liveness.IsCheckDue(_time.GetTimestamp()), "due though the peer spoke within the idle timeout");
        _time.Advance(Tick);
        Assert.True(liveness.IsCheckDue(_time.GetTimestamp()));
    }

    [Fact]
    public void WithNeitherLimitNoCheckIsEverDue()
    {
        var liveness = new Liveness(new LivenessPolicy(_time, System.Threading.Timeout.InfiniteTimeSpan, TimeSpan.FromSeconds(10), System.Threading.Timeout.InfiniteTimeSpan));

        _time.Advance(TimeSpan.FromDays(365));

        Assert.False(liveness.IsCheckDue(_time.GetTimestamp()));
    }

    [Fact]
    public void ZeroLimitsAreOffToo()
    {
        var liveness = new Liveness(new LivenessPolicy(_time, TimeSpan.Zero, TimeSpan.Zero, TimeSpan.Zero));

        _time.Advance(TimeSpan.FromDays(365));

        Assert.False(liveness.IsCheckDue(_time.GetTimestamp()));
    }

    private static TimeSpan Seconds(int seconds) => seconds > 0 ? TimeSpan.FromSeconds(seconds) : System.Threading.Timeout.InfiniteTimeSpan;
}
