using WsServer.Connections;
using WsServer.PubSub;
using WsServer.Tests.TestHandlers;
using WsServer.Tests.TestSupport;

namespace WsServer.Tests.PubSub;

/// <summary>Topics in one process: a publish reaches every subscriber, in publish order per publisher,
/// encoded once; subscriptions end with their connection; a connection can be found by its id.</summary>
public sealed class TopicTests
{
    [Fact]
    public async Task APublishReachesThousandsOfSubscribersInOrderPerPublisher()
    {
        const int subscribers = 2000, perPublisher = 20;
        var handler = new RecordingHandler();
        await using TestServer server = await TestServer.StartAsync(handler, o => o.Workers = 4096);
        RawClient[] clients = await Task.WhenAll(Enumerable.Range(0, subscribers).Select(_ => RawClient.ConnectAsync(server.Port)));
        Assert.True(await Timeouts.Eventually(() => handler.Opened.Count == subscribers));
        foreach (WebSocketConnection connection in handler.Opened) Assert.True(connection.Subscribe("news"));

        // Two publishers at once: each one's messages stay in its order at every subscriber.
        await Task.WhenAll(Enumerable.Range(0, 2).Select(p => Task.Run(() =>
        {
            for (int i = 0; i < perPublisher; i++)
                Assert.Equal(subscribers, server.Server.Publish("news", PreparedMessage.Text($"{p}:{i}")));
        })));

        await Task.WhenAll(clients.Select(async client =>
        {
            int[] next = [0, 0];
            for (int n = 0; n < 2 * perPublisher; n++)
            {
                string[] parts = (await client.ReadFrameAsync().Bounded())!.Value.Text.Split(':');
                int publisher = int.Parse(parts[0], System.Globalization.CultureInfo.InvariantCulture);
                Assert.Equal(next[publisher]++, int.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture));
            }
        }));
        foreach (RawClient client in clients) await client.DisposeAsync();
    }

    [Fact]
    public async Task TheSenderCanBeLeftOutAndSubscriptionsEndWithTheConnection()
    {
        var handler = new RecordingHandler();
        await using TestServer server = await TestServer.StartAsync(handler);
        await using RawClient first = await RawClient.ConnectAsync(server.Port);
        RawClient second = await RawClient.ConnectAsync(server.Port);
        Assert.True(await Timeouts.Eventually(() => handler.Opened.Count == 2));
        WebSocketConnection[] connections = [.. handler.Opened];
        Assert.All(connections, c => Assert.True(c.Subscribe("room")));
        Assert.False(connections[0].Subscribe("room"));
        Assert.Equal(["room"], connections[0].Topics);

        Assert.Equal(1, server.Server.Publish("room", PreparedMessage.Text("hi"), except: connections[1]));
        Assert.Equal("hi", (await first.ReadFrameAsync().Bounded())!.Value.Text);

        await second.SendAsync(ClientFrame.Close(1000));
        await connections[1].Completion.Bounded();
        await second.DisposeAsync();
        Assert.Equal(1, server.Server.Publish("room", PreparedMessage.Text("after")));
        Assert.False(connections[1].Subscribe("room"));

        Assert.True(connections[0].Unsubscribe("room"));
        Assert.False(connections[0].Unsubscribe("room"));
        Assert.Equal(0, server.Server.Publish("room", PreparedMessage.Text("nobody")));
    }

    [Fact]
    public async Task AConnectionIsFoundByItsIdWhileItIsOpen()
    {
        var handler = new RecordingHandler();
        await using TestServer server = await TestServer.StartAsync(handler);
        RawClient client = await RawClient.ConnectAsync(server.Port);
        WebSocketConnection connection = await handler.FirstOpened.Task.Bounded();

        Assert.True(server.Server.TryGetConnection(connection.Id, out WebSocketConnection? found));
        Assert.Same(connection, found);
        Assert.Equal(SendStatus.Queued, found.TrySend("by id"));
        Assert.Equal("by id", (await client.ReadFrameAsync().Bounded())!.Value.Text);

        await client.SendAsync(ClientFrame.Close(1000));
        await connection.Completion.Bounded();
        await client.DisposeAsync();
        Assert.False(server.Server.TryGetConnection(connection.Id, out _));
    }

    [Fact]
    public async Task AnEndedConnectionsIdDoesNotFindTheConnectionThatTakesItsPlace()
    {
        var handler = new RecordingHandler();
        await using TestServer server = await TestServer.StartAsync(handler);
        RawClient first = await RawClient.ConnectAsync(server.Port);
        WebSocketConnection ended = await handler.FirstOpened.Task.Bounded();
        await first.SendAsync(ClientFrame.Close(1000));
        await ended.Completion.Bounded();
        await first.DisposeAsync();

        // The only connection now: it takes the slot the first one left.
        await using RawClient second = await RawClient.ConnectAsync(server.Port);
        Assert.True(await Timeouts.Eventually(() => server.Server.ConnectionCount == 1));
        WebSocketConnection current = Assert.Single(server.Server.Connections);

        Assert.True(current.Id > ended.Id);
        Assert.False(server.Server.TryGetConnection(ended.Id, out _));
        Assert.True(server.Server.TryGetConnection(current.Id, out WebSocketConnection? found));
        Assert.Same(current, found);
    }
}
