using System.Net.WebSockets;
using WsServer.Tests.TestHandlers;
using WsServer.Tests.TestSupport;

namespace WsServer.Tests;

/// <summary>The seed's <c>number_of_workers</c>: at most N connections served at once; the next waits
/// in the backlog and is served when a slot frees.</summary>
public sealed class WorkerLimitTests
{
    [Fact]
    public async Task ConnectionBeyondTheWorkersWaitsUntilASlotFrees()
    {
        var handler = new RecordingHandler();
        await using TestServer server = await TestServer.StartAsync(handler, o => o.Workers = 2);
        using ClientWebSocket first = await server.ConnectAsync();
        using ClientWebSocket second = await server.ConnectAsync();
        using var third = new ClientWebSocket();

        Task connecting = third.ConnectAsync(server.Uri(), Timeouts.Token());
        // Once the accept loop waits for a worker, nothing is accepted: the third stays in the backlog,
        // and its upgrade cannot have been answered.
        Assert.True(await Timeouts.Eventually(() => server.Server.IsWaitingForWorker), "the accept loop should wait for a worker");
        Assert.False(connecting.IsCompleted, "the third connection was served beyond the workers");
        Assert.Equal(2, server.Server.ConnectionCount);

        await first.CloseAsync(WebSocketCloseStatus.NormalClosure, null, Timeouts.Token());
        await connecting.Bounded();

        await third.SendTextAsync("served");
        Assert.Equal("served", await third.ReceiveTextAsync());
        await second.SendTextAsync("still here");
        Assert.Equal("still here", await second.ReceiveTextAsync());
    }

    /// <summary>RFC 6455 §5.5.1: with both close frames through, the connection is closed. A peer that closed first
    /// has nothing left to send but its FIN, so once it has sent nothing more its slot is not held for that FIN
    /// (here it never comes, and the close deadline is a day away).</summary>
    [Fact]
    public async Task APeerThatClosedFirstAndSentNothingMoreFreesItsSlotWithoutItsFin()
    {
        await using TestServer server = await TestServer.StartAsync(new EchoHandler(), o =>
        {
            o.Workers = 1;
            o.CloseTimeout = TimeSpan.FromDays(1);
        });
        await using RawClient first = await RawClient.ConnectAsync(server.Port);
        await first.SendAsync(ClientFrame.Close(1000));
        Assert.Equal((ushort)1000, (await first.ReadCloseAsync().Bounded()).CloseCode);
        Assert.True(await first.ServerClosedTcpAsync().Bounded(), "the server should close its end");

        // The first client's socket stays open, its FIN unsent: the one worker serves the next client all the same.
        await using RawClient second = await RawClient.ConnectAsync(server.Port);
        await second.SendAsync(ClientFrame.Text("served"));
        Assert.Equal("served", (await second.ReadFrameAsync().Bounded())!.Value.Text);
    }
}
