using WsServer.Client;
using WsServer.Connections;
using WsServer.Protocol.Closing;
using WsServer.Tests.TestHandlers;
using WsServer.Tests.TestSupport;

namespace WsServer.Tests.Client;

/// <summary>The client's keep-alive on a fake clock: a ping after the idle interval, and the pong deadline on both
/// sides, against a server that answers (the project's) and one that does not (written by hand).</summary>
public sealed class WebSocketClientKeepAliveTests
{
    internal static readonly TimeSpan Interval = TimeSpan.FromSeconds(20);
    internal static readonly TimeSpan PongTimeout = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(1);
    private readonly FakeClock _time = new();

    internal static WebSocketClientOptions KeepAlive(TimeProvider time) =>
        new() { TimeProvider = time, KeepAliveInterval = Interval, PongTimeout = PongTimeout };

    [Fact]
    public async Task AnUnansweredKeepAlivePingFailsTheReceiveAtThePongDeadlineAndNotBefore()
    {
        using var peer = new HandwrittenPeer();
        await using WebSocketClient client = await peer.ConnectAsync(KeepAlive(_time));
        Task<WebSocketMessage> receiving = client.ReceiveAsync(Timeouts.Token()).AsTask();

        _time.Advance(Interval);
        await peer.ReadPingAsync();
        _time.Advance(PongTimeout - Tick);
        // Still open: a failed connection would refuse the send (the timer cuts it inside the step).
        await client.SendAsync("still here", Timeouts.Token());
        _time.Advance(Tick);
        WebSocketMessage close = await receiving.Bounded();

        Assert.Equal(MessageType.Close, close.Type);
        Assert.Equal(CloseCode.AbnormalClosure, close.CloseCode);
        Assert.Equal(CloseInitiator.Transport, close.Initiator);
        Assert.Equal("no pong within the keep-alive's 5 s", close.GetText());
        await Assert.ThrowsAsync<InvalidOperationException>(() => client.SendAsync("after", Timeouts.Token()).AsTask());
    }

    [Fact]
    public async Task NoPingGoesOutBeforeTheIdleInterval()
    {
        using var peer = new HandwrittenPeer();
        await using WebSocketClient client = await peer.ConnectAsync(KeepAlive(_time));
        _ = client.ReceiveAsync(Timeouts.Token()).AsTask();

        _time.Advance(Interval - Tick);
        await client.SendAsync("marker", Timeouts.Token());
        (byte beforeInterval, byte[] marker) = await peer.ReadFrameAsync();
        _time.Advance(Tick);
        byte[] ping = await peer.ReadPingAsync();

        // The frame before the interval was the text, not a ping; then the ping came, with the tracker's 8 bytes.
        Assert.Equal(0x81, beforeInterval);
        Assert.Equal("marker"u8.ToArray(), marker);
        Assert.Equal(8, ping.Length);
    }

    [Fact]
    public async Task ThePongDeadlineIsPutOffWhileNobodyReadsAndHoldsOnceAReceiveWaits()
    {
        using var peer = new HandwrittenPeer();
        await using WebSocketClient client = await peer.ConnectAsync(KeepAlive(_time));

        _time.Advance(Interval);
        await peer.ReadPingAsync();
        _time.Advance(PongTimeout);
        // Nobody reads, so the pong may be waiting unread: the connection stays.
        await client.SendAsync("still here", Timeouts.Token());
        Task<WebSocketMessage> receiving = client.ReceiveAsync(Timeouts.Token()).AsTask();
        _time.Advance(PongTimeout - TimeSpan.FromMilliseconds(1));
        Assert.False(receiving.IsCompleted, "failed before the put-off deadline");
        _time.Advance(TimeSpan.FromMilliseconds(1));

        Assert.Equal(CloseCode.AbnormalClosure, (await receiving.Bounded()).CloseCode);
    }

    [Fact]
    public async Task TheProjectsServerAnswersTheKeepAlivePingAndTheConnectionStays()
    {
        await using TestServer server = await TestServer.StartAsync(new EchoHandler());
        await using WebSocketClient client = await WebSocketClientTests.ConnectAsync(server.Uri(), KeepAlive(_time));
        Task<WebSocketMessage> receiving = client.ReceiveAsync(Timeouts.Token()).AsTask();

        _time.Advance(Interval);
        Assert.True(await Timeouts.Eventually(() => client.RoundTripTime is not null), "the keep-alive ping was not answered");
        _time.Advance(PongTimeout);
        await client.SendAsync("after the deadline", Timeouts.Token());

        Assert.Equal("after the deadline", (await receiving.Bounded()).GetText());
        Assert.Equal(TimeSpan.Zero, client.RoundTripTime);
    }

    [Fact]
    public async Task KeepAliveIsOffWithAZeroInterval()
    {
        using var peer = new HandwrittenPeer();
        await using WebSocketClient client = await peer.ConnectAsync(KeepAlive(_time) with { KeepAliveInterval = TimeSpan.Zero });
        Task<WebSocketMessage> receiving = client.ReceiveAsync(Timeouts.Token()).AsTask();

        _time.Advance(Interval + PongTimeout + PongTimeout);
        await client.SendAsync("still here", Timeouts.Token());

        Assert.False(receiving.IsCompleted);
    }
}
