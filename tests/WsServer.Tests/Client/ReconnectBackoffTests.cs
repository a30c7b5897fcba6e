using WsServer.Client;

namespace WsServer.Tests.Client;

/// <summary>The waits between attempts: exponential up to the cap, each drawn from zero to its ceiling.</summary>
public sealed class ReconnectBackoffTests
{
    private static readonly WebSocketReconnectOptions Options = new()
    {
        InitialDelay = TimeSpan.FromSeconds(1), MaxDelay = TimeSpan.FromSeconds(10), Multiplier = 3,
    };

    [Fact]
    public void WithoutJitterEachWaitIsItsCeilingGrowingToTheCap()
    {
        var backoff = new ReconnectBackoff(Options with { Jitter = false }, new Random(1));

        TimeSpan[] waits = [.. Enumerable.Range(0, 5).Select(_ => backoff.Next())];

        Assert.Equal([1, 3, 9, 10, 10], waits.Select(w => w.TotalSeconds));
    }

    [Fact]
    public void WithJitterEachWaitLiesBetweenZeroAndItsCeiling()
    {
        var backoff = new ReconnectBackoff(Options, new Random(6455));
        double[] ceilings = [1, 3, 9, 10, 10];

        foreach (double ceiling in ceilings) Assert.InRange(backoff.Next().TotalSeconds, 0, ceiling);
    }

    [Fact]
    public void AResetStartsAgainFromTheInitialDelay()
    {
        var backoff = new ReconnectBackoff(Options with { Jitter = false }, new Random(1));
        backoff.Next();
        backoff.Next();

        backoff.Reset();

        Assert.Equal(TimeSpan.FromSeconds(1), backoff.Next());
    }

    [Theory]
    [InlineData(403, false)]
    [InlineData(404, false)]
    [InlineData(101, false)]
    [InlineData(408, true)]
    [InlineData(429, true)]
    [InlineData(503, true)]
    public void OnlyARefusalThatSaysLaterIsRetried(int status, bool retried)
    {
        var head = new System.Buffers.ReadOnlySequence<byte>(System.Text.Encoding.ASCII.GetBytes($"HTTP/1.1 {status} Status\r\n\r\n"));
        WsServer.Protocol.Handshake.ClientHandshake.TryReadResponse(ref head, "dGhlIHNhbXBsZSBub25jZQ==",
            WsServer.Protocol.Handshake.HandshakeLimits.Default, out var response, out _);

        Assert.Equal(retried, WebSocketClient.MayChange(new WebSocketHandshakeException("refused", response)));
    }

    [Fact]
    public void NothingListeningATimeoutAndNoAnswerAreRetriedAndABadCertificateIsNot()
    {
        Assert.True(WebSocketClient.MayChange(new System.Net.Sockets.SocketException((int)System.Net.Sockets.SocketError.ConnectionRefused)));
        Assert.True(WebSocketClient.MayChange(new TimeoutException()));
        Assert.True(WebSocketClient.MayChange(new WebSocketHandshakeException("no answer")));
        Assert.False(WebSocketClient.MayChange(new System.Security.Authentication.AuthenticationException()));
        Assert.False(WebSocketClient.MayChange(new ArgumentException("bad option")));
    }
}
