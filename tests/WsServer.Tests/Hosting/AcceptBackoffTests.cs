using WsServer.Hosting;

namespace WsServer.Tests.Hosting;

/// <summary>A failed accept is retried after 10 ms, doubling up to 1 s, never at once.</summary>
public sealed class AcceptBackoffTests
{
    [Fact]
    public void TheDelayDoublesFromTenMillisecondsUpToOneSecondAndStartsOverAfterASuccess()
    {
        var backoff = new AcceptBackoff();

        int[] delays = [.. Enumerable.Range(0, 10).Select(_ => (int)backoff.Fail().TotalMilliseconds)];

        Assert.Equal([10, 20, 40, 80, 160, 320, 640, 1000, 1000, 1000], delays);
        Assert.Equal(10, backoff.Failures);
        backoff.Reset();
        Assert.Equal(0, backoff.Failures);
        Assert.Equal(10, (int)backoff.Fail().TotalMilliseconds);
    }
}
