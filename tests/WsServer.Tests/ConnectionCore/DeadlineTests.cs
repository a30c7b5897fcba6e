using WsServer.Hosting;
using WsServer.Tests.TestHandlers;
using WsServer.Tests.TestSupport;

namespace WsServer.Tests.ConnectionCore;

/// <summary>The connection's deadlines, each on the fake clock and each from both sides: nothing just
/// before it, the effect just after it. An absence is checked by a signal ordered after what the step would
/// have done (<see cref="NothingDue"/>, or state a timer sets inside the step), never after a pause.</summary>
public sealed class DeadlineTests
{
    private readonly FakeClock _time = new();

    [Fact]
    public async Task BusyHandlerDoesNotMakeALivePeerLookIdle()
    {
        var handler = new GatedHandler();
        await using TestServer server = await StartAsync(handler, o => o.IdleTimeout = TimeSpan.FromSeconds(2));
        await using RawClient client = await RawClient.ConnectAsync(server.Port);
        WsServer.Connections.WebSocketConnection connection = await handler.Opened.Task.Bounded();
        await client.SendAsync(ClientFrame.Text("slow"));
        await handler.Entered.Task.Bounded();

        // The handler works for 6 s while the peer pings every 200 ms: three idle timeouts pass.
        for (int i = 0; i < 30; i++)
        {
            await client.SendAsync(ClientFrame.Build(9, [(byte)i]));
            _time.Advance(TimeSpan.FromMilliseconds(200));
        }
        handler.Release.SetResult();

        Assert.Equal("done", (await client.ReadFrameAsync())!.Value.Text);
        for (int i = 0; i < 30; i++)
        {
            ReceivedFrame pong = (await client.ReadFrameAsync().Bounded())!.Value;
            Assert.Equal((10, (byte)i), (pong.Opcode, pong.Payload.Single()));
        }

        // Now silent: the idle timeout runs from the last bytes read, checked on the once-a-second heartbeat.
        _time.Advance(TimeSpan.FromMilliseconds(1800));
        await NothingDue.AssertAsync(client, connection);
        _time.Advance(TimeSpan.FromMilliseconds(200));
        ReceivedFrame close = (await client.ReadFrameAsync().Bounded())!.Value;
        Assert.Equal((ushort)1000, close.CloseCode);
        Assert.Equal("idle timeout", close.Text);
    }

    [Fact]
    public async Task StopReturnsWithinTheDrainTimeoutPlusTheAbortGraceThoughAHandlerIsStuck()
    {
        var handler = new GatedHandler();
        await using TestServer server = await StartAsync(handler, o => o.DrainTimeout = TimeSpan.FromMilliseconds(500));
        await using RawClient client = await RawClient.ConnectAsync(server.Port);
        await client.SendAsync(ClientFrame.Text("slow"));
        await handler.Entered.Task.Bounded();

        // Each wait of the stop is a timer on the fake clock; what its expiry does (cancel the tokens, cut
        // the transports, end the stop) runs inside the step that fires it, in TPL's synchronous
        // continuations, so right after a step short of it, none of that has happened.
        Task stop = server.Server.StopAsync();
        Assert.Equal((ushort)1001, (await client.ReadCloseAsync()).CloseCode);
        Assert.True(await _time.ArmedAsync(TimeSpan.FromMilliseconds(500)), "the drain timeout is never armed");
        _time.Advance(TimeSpan.FromMilliseconds(499));
        Assert.False(handler.Token.IsCancellationRequested, "aborted before the drain timeout");
        Assert.False(stop.IsCompleted, "stopped before the drain timeout");

        _time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.True(await client.ServerClosedTcpAsync().Bounded(), "the connection is cut at the drain timeout");
        Assert.True(handler.Token.IsCancellationRequested, "the stuck handler's token is cancelled at the drain timeout");
        Assert.True(await _time.ArmedAsync(WebSocketServer.AbortGrace), "the abort grace is never armed");
        _time.Advance(WebSocketServer.AbortGrace - TimeSpan.FromMilliseconds(1));
        Assert.False(stop.IsCompleted, "StopAsync gives the handler the abort grace");

        _time.Advance(TimeSpan.FromMilliseconds(1));
        await stop.Bounded();
        handler.Release.SetResult();
    }

    [Fact]
    public async Task APeerThatNeitherReadsNorSendsIsFoundIdleWhileASendWaitsForRoom()
    {
        var handler = new FloodingHandler();
        await using TestServer server = await StartAsync(handler, IdleAfterAMinuteWithASmallQueue);
        await using RawClient client = await RawClient.ConnectAsync(server.Port);
        WsServer.Connections.WebSocketConnection connection = await handler.Opened.Task.Bounded();
        // The handler sends until the queue is full and then waits for room, in its turn; the peer says
        // nothing more and reads nothing.
        await client.SendAsync(ClientFrame.Text("flood"));
        Assert.True(await WaitsForRoomForGoodAsync(connection), "the handler's send should wait for room");

        // The turn is held, so the heartbeat runs the check itself, inside the step: its verdict is there
        // when the step returns.
        _time.Advance(TimeSpan.FromSeconds(59));
        Assert.True(connection.IsOpen, "closed before the idle timeout");
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.False(connection.IsOpen, "not closed at the idle timeout");

        // Its close frame cannot reach a peer that does not read: the close deadline cuts it.
        _time.Advance(TimeSpan.FromSeconds(5));
        await connection.Completion.Bounded();
        Assert.Equal("idle timeout", handler.Closed!.Reason);
    }

    [Fact]
    public async Task APeerFoundIdleWhileItsHandlerWasBusyIsClosedOnceTheHandlerWaitsForRoom()
    {
        var handler = new FloodingHandler { Hold = new(TaskCreationOptions.RunContinuationsAsynchronously) };
        await using TestServer server = await StartAsync(handler, IdleAfterAMinuteWithASmallQueue);
        await using RawClient client = await RawClient.ConnectAsync(server.Port);
        WsServer.Connections.WebSocketConnection connection = await handler.Opened.Task.Bounded();
        await client.SendAsync(ClientFrame.Text("flood"));
        await handler.Holding.Task.Bounded();

        // Silent for the idle timeout while its handler is busy (not waiting for room): the check is posted, to
        // run in the connection's turn, and waits behind the busy call.
        _time.Advance(TimeSpan.FromSeconds(60));
        Assert.True(connection.IsOpen, "judged while its handler held the turn");
        // The call now floods and waits for room, holding the turn for as long as the peer does not read: the
        // heartbeat judges the connection itself, though the tick it posted still waits.
        handler.Hold.SetResult();
        Assert.True(await WaitsForRoomForGoodAsync(connection), "the handler's send should wait for room");
        _time.Advance(TimeSpan.FromSeconds(1));

        Assert.False(connection.IsOpen, "not closed once the handler waited for room");
        _time.Advance(TimeSpan.FromSeconds(5));
        await connection.Completion.Bounded();
        Assert.Equal("idle timeout", handler.Closed!.Reason);
    }

    private static void IdleAfterAMinuteWithASmallQueue(ServerOptions o)
    {
        o.IdleTimeout = TimeSpan.FromSeconds(60);
        o.CloseTimeout = TimeSpan.FromSeconds(5);
        o.SendQueueLimit = 64 * 1024;
    }

    // Waiting for room, and its queue no longer moving: the kernel has taken all it will of what the server sends,
    // so the wait does not end and begin again while the heartbeat looks.
    private static async Task<bool> WaitsForRoomForGoodAsync(WsServer.Connections.WebSocketConnection connection)
    {
        long last = -1;
        int steady = 0;
        return await Timeouts.Eventually(() =>
        {
            long pending = connection.PendingSendBytes;
            steady = connection.Live.HasSpaceWaiter && pending == last ? steady + 1 : 0;
            last = pending;
            return steady >= 5;
        });
    }

    /// <summary>On "flood", sends 64 KiB messages until the connection refuses them; with <see cref="Hold"/>, first
    /// waits for it (busy in its turn, not waiting for room).</summary>
    private sealed class FloodingHandler : WsServer.Connections.IWebSocketHandler<int>
    {
        public TaskCompletionSource<WsServer.Connections.WebSocketConnection> Opened { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource? Hold { get; init; }

        public TaskCompletionSource Holding { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public WsServer.Connections.ConnectionClosed? Closed { get; private set; }

        private WsServer.Connections.WebSocketConnection? _connection;

        public ValueTask<int> InitAsync(WsServer.Connections.WebSocketConnection connection, CancellationToken ct)
        {
            _connection = connection;
            Opened.TrySetResult(connection);
            return new(0);
        }

        public async ValueTask<WsServer.Connections.HandleResult<int>> HandleAsync(WsServer.Connections.WebSocketMessage message, int state, CancellationToken ct)
        {
            Holding.TrySetResult();
            if (Hold is not null) await Hold.Task;
            try
            {
                for (int i = 0; i < 100_000; i++) await _connection!.SendAsync(new byte[64 * 1024], ct);
            }
            catch (Exception ex) when (ex is WsServer.Connections.ConnectionClosedException or OperationCanceledException)
            {
            }
            return WsServer.Connections.HandleResult.NoReply(state);
        }

        public ValueTask ClosedAsync(WsServer.Connections.ConnectionClosed closed, int state, CancellationToken ct)
        {
            Closed = closed;
            return ValueTask.CompletedTask;
        }
    }

    private Task<TestServer> StartAsync(WsServer.Connections.IWebSocketHandler<int> handler, Action<ServerOptions> configure) =>
        TestServer.StartAsync(handler, o =>
        {
            o.TimeProvider = _time;
            o.KeepAliveInterval = Timeout.InfiniteTimeSpan;
            o.IdleTimeout = Timeout.InfiniteTimeSpan;
            configure(o);
        });
}
