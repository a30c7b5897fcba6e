using System.Net.WebSockets;
using WsServer.Connections;
using WsServer.PubSub;
using WsServer.Tests.TestHandlers;
using WsServer.Tests.TestSupport;

namespace WsServer.Tests;

/// <summary>The seed's <c>wsserver_worker:send/2</c>: sends through the connection reference from any
/// thread at any time, ordered per sender and with the handler's replies.</summary>
public sealed class SendFromAnywhereTests
{
    [Theory]
    [InlineData(200, 1)]
    [InlineData(200, 8)]
    public async Task SendsFromOtherThreadsWhileHandleRunsArriveInOrderBeforeTheReply(int count, int threads)
    {
        await using TestServer server = await TestServer.StartAsync(new SendingHandler());
        using ClientWebSocket client = await server.ConnectAsync();

        await client.SendTextAsync($"burst {count} {threads}");

        int[] next = new int[threads];
        for (int received = 0; received < count * threads; received++)
        {
            string[] parts = (await client.ReceiveTextAsync()).Split(':');
            int thread = int.Parse(parts[0], System.Globalization.CultureInfo.InvariantCulture);
            Assert.Equal(next[thread]++, int.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture));
        }
        Assert.Equal("done", await client.ReceiveTextAsync());
    }

    [Fact]
    public async Task ServerSendsWithoutAnyIncomingMessage()
    {
        var handler = new RecordingHandler();
        await using TestServer server = await TestServer.StartAsync(handler);
        using ClientWebSocket client = await server.ConnectAsync();
        WebSocketConnection connection = await handler.FirstOpened.Task.Bounded();

        await connection.SendAsync("pushed");
        await connection.SendAsync(new byte[] { 9, 9 });
        Assert.Equal(SendStatus.Queued, connection.TrySend(PreparedMessage.Text("prepared")));

        Assert.Equal("pushed", await client.ReceiveTextAsync());
        Assert.Equal(new byte[] { 9, 9 }, (await client.ReceiveMessageAsync()).Data);
        Assert.Equal("prepared", await client.ReceiveTextAsync());
    }

    [Fact]
    public async Task SendAfterCloseFailsWithATypedError()
    {
        var handler = new RecordingHandler();
        await using TestServer server = await TestServer.StartAsync(handler);
        using ClientWebSocket client = await server.ConnectAsync();
        WebSocketConnection connection = await handler.FirstOpened.Task.Bounded();

        await client.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", Timeouts.Token());
        await connection.Completion.Bounded();

        Assert.False(connection.IsOpen);
        Assert.Equal(SendStatus.Closed, connection.TrySend("late"));
        var error = await Assert.ThrowsAsync<ConnectionClosedException>(() => connection.SendAsync("late").AsTask());
        Assert.Equal(connection.Id, error.ConnectionId);
    }

    [Fact]
    public async Task BroadcastReachesEveryConnection()
    {
        var handler = new RecordingHandler();
        await using TestServer server = await TestServer.StartAsync(handler);
        var clients = new List<ClientWebSocket>();
        for (int i = 0; i < 5; i++) clients.Add(await server.ConnectAsync());
        for (int spin = 0; server.Server.ConnectionCount < 5 && spin < 2000; spin++) await Task.Delay(5);

        Assert.Equal(5, server.Server.Broadcast(PreparedMessage.Text("to all")));

        foreach (ClientWebSocket client in clients) Assert.Equal("to all", await client.ReceiveTextAsync());
        clients.ForEach(c => c.Dispose());
    }
}
