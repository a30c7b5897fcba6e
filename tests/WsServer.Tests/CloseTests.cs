using System.Net.WebSockets;
using WsServer.Connections;
using WsServer.Protocol.Closing;
using WsServer.Tests.TestHandlers;
using WsServer.Tests.TestSupport;

namespace WsServer.Tests;

/// <summary>The closing handshake of RFC 6455 §7, started by either side, and the closed callback
/// (the seed's <c>handle(connection_close, State)</c>) called exactly once.</summary>
public sealed class CloseTests
{
    [Fact]
    public async Task ClientCloseIsEchoedAndSeenByTheHandlerOnce()
    {
        var handler = new RecordingHandler();
        await using TestServer server = await TestServer.StartAsync(handler);
        using ClientWebSocket client = await server.ConnectAsync();

        await client.CloseAsync((WebSocketCloseStatus)4000, "client done", Timeouts.Token());

        Assert.Equal(WebSocketState.Closed, client.State);
        Assert.Equal((WebSocketCloseStatus)4000, client.CloseStatus);
        ConnectionClosed closed = await handler.FirstClosed.Task.Bounded();
        Assert.Equal((CloseCode)4000, closed.Code);
        Assert.Equal("client done", closed.Reason);
        Assert.Equal(CloseInitiator.Peer, closed.Initiator);
        await handler.Opened.Single().Completion.Bounded();
        Assert.Single(handler.Closed);
    }

    [Fact]
    public async Task ServerCloseIsSeenByTheClientAndByTheHandlerOnce()
    {
        var handler = new RecordingHandler();
        await using TestServer server = await TestServer.StartAsync(handler);
        using ClientWebSocket client = await server.ConnectAsync();
        var connection = await handler.FirstOpened.Task.Bounded();

        Assert.True(connection.Close(CloseCode.PolicyViolation, "policy"));
        Assert.False(connection.Close());

        (WebSocketCloseStatus? status, string? reason) = await client.ReceiveCloseAsync();
        Assert.Equal(WebSocketCloseStatus.PolicyViolation, status);
        Assert.Equal("policy", reason);
        await client.CloseOutputAsync(WebSocketCloseStatus.PolicyViolation, null, Timeouts.Token());
        ConnectionClosed closed = await handler.FirstClosed.Task.Bounded();
        Assert.Equal(CloseCode.PolicyViolation, closed.Code);
        Assert.Equal(CloseInitiator.Local, closed.Initiator);
        await connection.Completion.Bounded();
        Assert.Single(handler.Closed);
    }

    [Fact]
    public async Task ClientThatVanishesIsReportedAsAbnormalClosure()
    {
        var handler = new RecordingHandler();
        await using TestServer server = await TestServer.StartAsync(handler);
        RawClient client = await RawClient.ConnectAsync(server.Port);
        await handler.FirstOpened.Task.Bounded();

        await client.DisposeAsync();

        ConnectionClosed closed = await handler.FirstClosed.Task.Bounded();
        Assert.Equal(CloseCode.AbnormalClosure, closed.Code);
        Assert.Equal(CloseInitiator.Transport, closed.Initiator);
    }

    [Fact]
    public async Task PingIsAnsweredWithAnIdenticalPongAndCloseIsEchoed()
    {
        await using TestServer server = await TestServer.StartAsync(new EchoHandler());
        await using RawClient client = await RawClient.ConnectAsync(server.Port);

        await client.SendAsync(ClientFrame.Build(9, "are you there"u8.ToArray()));
        ReceivedFrame? pong = await client.ReadFrameAsync();
        Assert.Equal(10, pong!.Value.Opcode);
        Assert.Equal("are you there", pong.Value.Text);

        await client.SendAsync(ClientFrame.Close(1000, "bye"));
        ReceivedFrame echo = await client.ReadCloseAsync();
        Assert.Equal((ushort)1000, echo.CloseCode);
        Assert.True(await client.ServerClosedTcpAsync());
    }

    [Fact]
    public async Task GracefulStopClosesEveryConnectionWithGoingAway()
    {
        var handler = new RecordingHandler();
        TestServer server = await TestServer.StartAsync(handler);
        using ClientWebSocket a = await server.ConnectAsync();
        using ClientWebSocket b = await server.ConnectAsync();
        for (int spin = 0; server.Server.ConnectionCount < 2 && spin < 2000; spin++) await Task.Delay(5);

        Task stopping = server.Server.StopAsync();

        Assert.Equal(WebSocketCloseStatus.EndpointUnavailable, (await a.ReceiveCloseAsync()).Status);
        Assert.Equal(WebSocketCloseStatus.EndpointUnavailable, (await b.ReceiveCloseAsync()).Status);
        await a.CloseOutputAsync(WebSocketCloseStatus.EndpointUnavailable, null, Timeouts.Token());
        await b.CloseOutputAsync(WebSocketCloseStatus.EndpointUnavailable, null, Timeouts.Token());
        await stopping.Bounded();
        Assert.Equal(2, handler.Closed.Count);
        Assert.All(handler.Closed, c => Assert.Equal(CloseCode.GoingAway, c.Closed.Code));
        await server.DisposeAsync();
    }
}
