using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;
using WsServer.Client;
using WsServer.Connections;
using WsServer.Protocol.Handshake;
using WsServer.Protocol.Session;
using WsServer.Tests.TestSupport;

namespace WsServer.Tests.Client;

/// <summary>The client's pings on a fake clock, against a peer that answers when the test says so: the
/// round-trip time and the pong timeout, on both sides of the deadline.</summary>
public sealed class WebSocketClientPingTests
{
    private static readonly TimeSpan PongTimeout = TimeSpan.FromSeconds(10);
    private readonly FakeClock _time = new();

    [Fact]
    public async Task PingAsyncFailsAtThePongTimeoutAndNotBefore()
    {
        using var peer = new HandwrittenPeer();
        await using WebSocketClient client = await peer.ConnectAsync(new WebSocketClientOptions
        {
            TimeProvider = _time,
            PongTimeout = PongTimeout,
        });
        Task<WebSocketMessage> receiving = client.ReceiveAsync(Timeouts.Token()).AsTask();

        // A pong just before the timeout still answers: had the wait failed early, it would have failed
        // inside the step, before the pong was sent.
        Task<TimeSpan> answered = client.PingAsync();
        byte[] ping = await peer.ReadPingAsync();
        Assert.True(await _time.ArmedAsync(PongTimeout, 1));
        _time.Advance(PongTimeout - TimeSpan.FromMilliseconds(1));
        await peer.SendPongAsync(ping);
        Assert.Equal(PongTimeout - TimeSpan.FromMilliseconds(1), await answered.Bounded());

        // A ping left unanswered fails when its timeout is up; the connection stays open.
        Task<TimeSpan> unanswered = client.PingAsync();
        await peer.ReadPingAsync();
        Assert.True(await _time.ArmedAsync(PongTimeout, 2));
        _time.Advance(PongTimeout);
        await Assert.ThrowsAsync<TimeoutException>(() => unanswered.Bounded());
        Assert.Equal(SessionState.Open, client.State);
        Assert.False(receiving.IsCompleted);
    }

    [Fact]
    public async Task APongAnswersTheEarlierPingsTooEachWithItsOwnRoundTripTime()
    {
        using var peer = new HandwrittenPeer();
        await using WebSocketClient client = await peer.ConnectAsync(new WebSocketClientOptions { TimeProvider = _time });
        _ = client.ReceiveAsync(Timeouts.Token()).AsTask();

        Task<TimeSpan> first = client.PingAsync();
        await peer.ReadPingAsync();
        _time.Advance(TimeSpan.FromSeconds(2));
        Task<TimeSpan> second = client.PingAsync();
        byte[] latest = await peer.ReadPingAsync();
        _time.Advance(TimeSpan.FromSeconds(1));
        // RFC 6455 §5.5.3: a pong may answer only the most recent ping.
        await peer.SendPongAsync(latest);

        Assert.Equal(TimeSpan.FromSeconds(3), await first.Bounded());
        Assert.Equal(TimeSpan.FromSeconds(1), await second.Bounded());
    }
}
