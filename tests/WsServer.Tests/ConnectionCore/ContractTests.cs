using System.Net.WebSockets;
using System.Text;
using Microsoft.Extensions.Time.Testing;
using WsServer.Connections;
using WsServer.Hosting;
using WsServer.Protocol.Closing;
using WsServer.PubSub;
using WsServer.Routing;
using WsServer.Tests.TestHandlers;
using WsServer.Tests.TestSupport;

namespace WsServer.Tests.ConnectionCore;

/// <summary>The promises of the handler contract that the connection core keeps, each tried from outside.</summary>
public sealed class ContractTests
{
    [Fact]
    public async Task AConnectionIsRegisteredBeforeItsUpgradeIsAnswered()
    {
        await using TestServer server = await TestServer.StartAsync(new EchoHandler());
        for (int i = 0; i < 40; i++)
        {
            using ClientWebSocket client = await server.ConnectAsync();
            // The client has the 101: the server knows the connection, and a broadcast reaches it.
            server.Server.Broadcast(PreparedMessage.Text($"hello {i}"));
            Assert.Equal($"hello {i}", await client.ReceiveTextAsync().Bounded());
            await client.CloseAsync(WebSocketCloseStatus.NormalClosure, null, Timeouts.Token());
        }
    }

    [Fact]
    public async Task AnUpgradeStillInProgressWhenTheServerStopsIsAnswered503WithRetryAfter()
    {
        var entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var route = new WebSocketRouteOptions
        {
            OnUpgrade = async _ =>
            {
                entered.SetResult();
                await release.Task;
                return UpgradeDecision.Accepted;
            },
        };
        await using TestServer server = await TestServer.StartAsync(new EchoHandler(), o => o.Routes.MapFallback(new EchoHandler(), route));
        Task<HttpAnswer> answer = HttpExchange.SendAsync(server.Port, HttpExchange.UpgradeRequest(server.Port, "/"));
        await entered.Task.Bounded();

        Task stop = server.Server.StopAsync();
        release.SetResult();

        HttpAnswer refused = await answer.Bounded();
        Assert.Equal(503, refused.Status);
        Assert.NotNull(refused.Header("Retry-After"));
        await stop.Bounded();
        Assert.Equal(0, server.Server.ConnectionCount);
    }

    [Fact]
    public async Task AnUnexpectedFaultInTheLoopClosesWith1011AndClosedRunsOnce()
    {
        // The clock is read by the session loop at each read: a clock that fails is a fault from
        // outside the handler and the peer, as a failing zlib would be.
        var clock = new FailingClock();
        var handler = new GatedHandler();
        await using TestServer server = await TestServer.StartAsync(handler, o =>
        {
            o.TimeProvider = clock;
            o.KeepAliveInterval = Timeout.InfiniteTimeSpan;
            o.IdleTimeout = Timeout.InfiniteTimeSpan;
        });
        await using RawClient client = await RawClient.ConnectAsync(server.Port);
        WebSocketConnection connection = await handler.Opened.Task.Bounded();
        clock.FailOnce();
        await client.SendAsync(ClientFrame.Text("boom"));

        ReceivedFrame close = await client.ReadCloseAsync().Bounded();
        Assert.Equal((ushort)1011, close.CloseCode);
        await client.SendAsync(ClientFrame.Close(1011));
        Assert.True(await client.ServerClosedTcpAsync().Bounded());
        await client.DisposeAsync();
        await connection.Completion.Bounded();
        Assert.Equal(1, handler.ClosedCalls);
        Assert.Equal(CloseCode.InternalError, handler.Closed!.Code);
        Assert.IsType<InvalidOperationException>(handler.Closed.Error);
    }

    [Fact]
    public async Task AfterOurCloseThePeersPingGetsNoPong()
    {
        await using TestServer server = await TestServer.StartAsync(new CommandHandler());
        await using RawClient client = await RawClient.ConnectAsync(server.Port);
        await client.SendAsync(ClientFrame.Text("closestatus"));
        Assert.Equal((ushort)4001, (await client.ReadCloseAsync()).CloseCode);

        // RFC 6455 §5.5.1: after sending a close frame an endpoint sends nothing more.
        await client.SendAsync(ClientFrame.Build(9, [1, 2, 3]));
        await client.SendAsync(ClientFrame.Close(4001));

        Assert.Null(await client.ReadFrameAsync().Bounded());
    }

    [Fact]
    public async Task ADeliveredCloseCarriesOnlyTheReasonAndItsCode()
    {
        var seen = new TaskCompletionSource<(MessageType, CloseCode?, string)>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using TestServer server = await TestServer.StartAsync(o => o.Routes.Map("/",
            (message, _) =>
            {
                if (message.Type == MessageType.Close) seen.TrySetResult((message.Type, message.CloseCode, message.GetText()));
                return HandleResult.NoReply();
            },
            new WebSocketRouteOptions { DeliverControlFrames = true }));
        using ClientWebSocket client = await server.ConnectAsync();

        await client.CloseAsync((WebSocketCloseStatus)4000, "bye now", Timeouts.Token());

        Assert.Equal((MessageType.Close, (CloseCode?)4000, "bye now"), await seen.Task.Bounded());
    }

    [Fact]
    public async Task CloseWithoutArgumentsMeans1000OnTheConnectionAndOnTheResult()
    {
        Assert.Equal(CloseCode.NormalClosure, HandleResult.Close().CloseCode);
        Assert.Equal(CloseCode.NormalClosure, HandleResult.Close(7).Result.CloseCode);
        // A code alone is the code, not a state: the exact overload wins.
        Assert.Equal(CloseCode.GoingAway, HandleResult.Close(CloseCode.GoingAway).CloseCode);
        var handler = new RecordingHandler();
        await using TestServer server = await TestServer.StartAsync(handler);
        using ClientWebSocket client = await server.ConnectAsync();
        WebSocketConnection connection = await handler.FirstOpened.Task.Bounded();

        Assert.True(connection.Close());

        Assert.Equal(WebSocketCloseStatus.NormalClosure, (await client.ReceiveCloseAsync()).Status);
    }

    [Fact]
    public async Task TheRequestHandedToTheHandlerIsImmutable()
    {
        var handler = new RecordingHandler();
        await using TestServer server = await TestServer.StartAsync(handler);
        using ClientWebSocket client = await server.ConnectAsync();
        ConnectionInfo info = (await handler.FirstOpened.Task.Bounded()).Info;

        Assert.True(info.Headers.IsReadOnly);
        Assert.Throws<InvalidOperationException>(() => info.Headers.Add("X-Late", "1"));
        Assert.IsAssignableFrom<System.Collections.Frozen.FrozenDictionary<string, object?>>(info.Items);
    }

    [Theory]
    [InlineData(126)]
    [InlineData(200)]
    public void AControlResultOver125BytesFailsAtTheCall(int length)
    {
        Assert.Throws<ArgumentException>(() => HandleResult.Ping(0, new byte[length]));
        Assert.Throws<ArgumentException>(() => HandleResult.Pong(0, new byte[length]));
        Assert.Throws<ArgumentException>(() => HandleResult.Ping(new byte[length]));
        Assert.Throws<ArgumentException>(() => HandleResult.Pong(new ReadOnlyMemory<byte>(new byte[length])));
    }

    [Fact]
    public void ACloseResultThatCannotBeSentFailsAtTheCall()
    {
        Assert.Throws<ArgumentException>(() => HandleResult.Close(0, (CloseCode)1005));
        Assert.Throws<ArgumentException>(() => HandleResult.Close(0, (CloseCode)999));
        Assert.Throws<ArgumentException>(() => HandleResult.Close(0, code: null, reason: "a reason needs a code"));
    }

    /// <summary>A fake clock whose next timestamp fails, on request.</summary>
    private sealed class FailingClock : FakeTimeProvider
    {
        private int _fail;

        public void FailOnce() => Volatile.Write(ref _fail, 1);

        public override long GetTimestamp() =>
            Interlocked.Exchange(ref _fail, 0) == 1 ? throw new InvalidOperationException("the clock broke") : base.GetTimestamp();
    }
}
