using System.Net.WebSockets;
using Microsoft.Extensions.Time.Testing;
using WsServer.Connections;
using WsServer.Hosting;
using WsServer.Protocol.Closing;
using WsServer.Tests.TestHandlers;
using WsServer.Tests.TestSupport;

namespace WsServer.Tests.Hardening;

/// <summary>Liveness for the application and for the server: PingAsync gives the round-trip time, a
/// keep-alive ping unanswered by its deadline closes a half-open connection, and a stop can say
/// "restart".</summary>
public sealed class LivenessTests
{
    private readonly FakeTimeProvider _time = new();

    [Fact]
    public async Task PingAsyncCompletesWithTheRoundTripTimeWhenAClientWeDidNotWriteAnswers()
    {
        var handler = new RecordingHandler();
        await using TestServer server = await TestServer.StartAsync(handler);
        using ClientWebSocket client = await server.ConnectAsync();
        WebSocketConnection connection = await handler.FirstOpened.Task.Bounded();
        Assert.Null(connection.RoundTripTime);
        // ClientWebSocket answers pings while a receive is pending.
        Task<(WebSocketMessageType, byte[])> receiving = client.ReceiveMessageAsync();

        TimeSpan roundTrip = await connection.PingAsync().Bounded();

        Assert.True(roundTrip >= TimeSpan.Zero);
        Assert.Equal(roundTrip, connection.RoundTripTime);
        Assert.False(receiving.IsCompleted);
    }

    [Fact]
    public async Task PingAsyncFailsAtThePongTimeoutAndNotBefore()
    {
        var handler = new RecordingHandler();
        await using TestServer server = await StartFakeAsync(handler, o => o.PongTimeout = TimeSpan.FromSeconds(10));
        await using RawClient client = await RawClient.ConnectAsync(server.Port);
        WebSocketConnection connection = await handler.FirstOpened.Task.Bounded();

        // A pong just before the timeout still answers: had the wait failed early, it would have failed
        // inside the step, before the pong was sent.
        Task<TimeSpan> answered = connection.PingAsync();
        ReceivedFrame ping = (await client.ReadFrameAsync().Bounded())!.Value;
        Assert.Equal(9, ping.Opcode);
        _time.Advance(TimeSpan.FromMilliseconds(9999));
        await client.SendAsync(ClientFrame.Build(10, ping.Payload));
        Assert.Equal(TimeSpan.FromMilliseconds(9999), await answered.Bounded());

        // A ping left unanswered fails when its timeout is up.
        Task<TimeSpan> unanswered = connection.PingAsync();
        Assert.Equal(9, (await client.ReadFrameAsync().Bounded())!.Value.Opcode);
        _time.Advance(TimeSpan.FromSeconds(10));
        await Assert.ThrowsAsync<TimeoutException>(() => unanswered.Bounded());
        Assert.True(connection.IsOpen);
    }

    [Fact]
    public async Task AKeepAlivePingUnansweredByItsDeadlineClosesTheConnectionWith1011()
    {
        var handler = new RecordingHandler();
        await using TestServer server = await StartFakeAsync(handler, o =>
        {
            o.KeepAliveInterval = TimeSpan.FromSeconds(30);
            o.PongTimeout = TimeSpan.FromSeconds(10);
        });
        await using RawClient client = await RawClient.ConnectAsync(server.Port);
        WebSocketConnection connection = await handler.FirstOpened.Task.Bounded();

        _time.Advance(TimeSpan.FromSeconds(29));
        await NothingDue.AssertAsync(client, connection); // not pinged before the keep-alive interval
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(9, (await client.ReadFrameAsync().Bounded())!.Value.Opcode);

        // Half-open: the peer neither answers nor sends.
        _time.Advance(TimeSpan.FromSeconds(9));
        await NothingDue.AssertAsync(client, connection); // not closed before the pong timeout
        _time.Advance(TimeSpan.FromSeconds(1));
        ReceivedFrame frame = (await client.ReadFrameAsync().Bounded())!.Value;
        Assert.Equal((ushort)1011, frame.CloseCode);
    }

    [Fact]
    public async Task AnAnsweredKeepAlivePingKeepsTheConnectionAndMeasuresTheRoundTrip()
    {
        var handler = new RecordingHandler();
        await using TestServer server = await StartFakeAsync(handler, o =>
        {
            o.KeepAliveInterval = TimeSpan.FromSeconds(30);
            o.PongTimeout = TimeSpan.FromSeconds(10);
        });
        await using RawClient client = await RawClient.ConnectAsync(server.Port);
        WebSocketConnection connection = await handler.FirstOpened.Task.Bounded();

        Task<ReceivedFrame?> ping = client.ReadFrameAsync();
        _time.Advance(TimeSpan.FromSeconds(30));
        ReceivedFrame frame = (await ping.Bounded())!.Value;
        _time.Advance(TimeSpan.FromMilliseconds(40));
        await client.SendAsync(ClientFrame.Build(10, frame.Payload));
        await client.SendAsync(ClientFrame.Text("still here"));
        Assert.Equal("still here", (await client.ReadFrameAsync().Bounded())!.Value.Text);

        // Past the pong timeout from the ping: answered, so nothing is due.
        _time.Advance(TimeSpan.FromSeconds(15));
        await NothingDue.AssertAsync(client, connection);
        Assert.True(connection.IsOpen);
        Assert.Equal(TimeSpan.FromMilliseconds(40), connection.RoundTripTime);
    }

    [Fact]
    public async Task StopCanCloseWithTheCodeTheCallerChooses()
    {
        var handler = new RecordingHandler();
        TestServer server = await TestServer.StartAsync(handler);
        using ClientWebSocket client = await server.ConnectAsync();
        WebSocketConnection connection = await handler.FirstOpened.Task.Bounded();
        Assert.Equal(SendStatus.Queued, connection.TrySend("before the stop"));

        Task stop = server.Server.StopAsync(CloseCode.ServiceRestart, "restarting");

        // What was accepted before the stop is written before the close frame.
        Assert.Equal("before the stop", await client.ReceiveTextAsync().Bounded());
        (WebSocketCloseStatus? status, string? reason) = await client.ReceiveCloseAsync();
        Assert.Equal((WebSocketCloseStatus)1012, status);
        Assert.Equal("restarting", reason);
        await client.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, Timeouts.Token());
        await stop.Bounded();
        await server.DisposeAsync();
    }

    private Task<TestServer> StartFakeAsync<TState>(WsServer.Connections.IWebSocketHandler<TState> handler, Action<ServerOptions> configure) =>
        TestServer.StartAsync(handler, o =>
        {
            o.TimeProvider = _time;
            o.KeepAliveInterval = Timeout.InfiniteTimeSpan;
            o.IdleTimeout = Timeout.InfiniteTimeSpan;
            configure(o);
        });
}
