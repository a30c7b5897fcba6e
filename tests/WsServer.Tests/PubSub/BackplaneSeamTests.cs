using WsServer.Connections;
using WsServer.PubSub;
using WsServer.Tests.TestHandlers;
using WsServer.Tests.TestSupport;

namespace WsServer.Tests.PubSub;

/// <summary>The seam a scale-out backplane plugs into: it hears of a topic's first and last subscriber on
/// this server, in order, and of every publish but those it delivers itself; a subscription awaited with
/// SubscribeAsync completes only when the backplane says the topic is live.</summary>
public sealed class BackplaneSeamTests
{
    [Fact]
    public async Task TheBackplaneHearsOfEachTopicsFirstAndLastSubscriberInOrder()
    {
        (TestServer server, RawClient[] clients, WebSocketConnection[] connections) = await ConnectAsync(2);
        await using TestServer _ = server;
        await using RawClient first = clients[0], second = clients[1];
        var backplane = new RecordingBackplane();
        Assert.True(connections[0].Subscribe("before"));

        server.Server.AttachBackplane(backplane);
        Assert.True(connections[0].Subscribe("room"));
        Assert.True(connections[1].Subscribe("room"));
        Assert.True(connections[0].Unsubscribe("room"));
        Assert.True(connections[1].Unsubscribe("room"));
        Assert.True(connections[1].Subscribe("room"));
        server.Server.DetachBackplane(backplane);

        Assert.Equal(["open before", "open room", "close room", "open room"], backplane.Calls[..4]);
        Assert.Equal(["close before", "close room"], backplane.Calls[4..].Order()); // the detach closes what is left
        Assert.Throws<InvalidOperationException>(() => { server.Server.AttachBackplane(backplane); server.Server.AttachBackplane(backplane); });
    }

    [Fact]
    public async Task APublishIsRelayedAndALocalPublishIsNot()
    {
        (TestServer server, RawClient[] clients, WebSocketConnection[] connections) = await ConnectAsync(1);
        await using TestServer _ = server;
        await using RawClient client = clients[0];
        WebSocketConnection connection = connections[0];
        var backplane = new RecordingBackplane();
        server.Server.AttachBackplane(backplane);
        connection.Subscribe("room");

        Assert.Equal(1, server.Server.Publish("room", PreparedMessage.Text("from here")));
        Assert.Equal(1, server.Server.PublishLocal("room", PreparedMessage.Binary([1, 2])));
        Assert.Equal(0, connection.Publish("elsewhere", PreparedMessage.Binary([3])));

        Assert.Equal("from here", (await client.ReadFrameAsync().Bounded())!.Value.Text);
        Assert.Equal([(byte)1, 2], (await client.ReadFrameAsync().Bounded())!.Value.Payload);
        Assert.Equal(["open room", "relay room text 'from here'", "relay elsewhere binary 1 bytes"], backplane.Calls);
    }

    [Fact]
    public async Task SubscribeAsyncCompletesWhenTheBackplaneSaysTheTopicIsLive()
    {
        (TestServer server, RawClient[] clients, WebSocketConnection[] connections) = await ConnectAsync(2);
        await using TestServer _ = server;
        await using RawClient first = clients[0], second = clients[1];
        var backplane = new RecordingBackplane();
        server.Server.AttachBackplane(backplane);

        ValueTask<bool> firstSubscribing = connections[0].SubscribeAsync("room");
        ValueTask<bool> secondSubscribing = connections[1].SubscribeAsync("room"); // the same subscribe, still in flight
        Assert.False(firstSubscribing.IsCompleted);
        Assert.False(secondSubscribing.IsCompleted);
        // Subscribed here already: local publishes reach them meanwhile.
        Assert.Equal(2, server.Server.PublishLocal("room", PreparedMessage.Text("meanwhile")));

        backplane.Live.SetResult();

        Assert.True(await firstSubscribing.AsTask().Bounded());
        Assert.True(await secondSubscribing.AsTask().Bounded());
        Assert.False(await connections[0].SubscribeAsync("room"));
    }

    // A server and COUNT clients, with the server's side of each connection.
    private static async Task<(TestServer, RawClient[], WebSocketConnection[])> ConnectAsync(int count)
    {
        var handler = new RecordingHandler();
        TestServer server = await TestServer.StartAsync(handler);
        RawClient[] clients = await Task.WhenAll(Enumerable.Range(0, count).Select(_ => RawClient.ConnectAsync(server.Port)));
        Assert.True(await Timeouts.Eventually(() => handler.Opened.Count == count));
        return (server, clients, [.. handler.Opened]);
    }

    private sealed class RecordingBackplane : ITopicBackplane
    {
        public List<string> Calls { get; } = [];

        public TaskCompletionSource Live { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task TopicOpened(string topic)
        {
            lock (Calls) Calls.Add($"open {topic}");
            return Live.Task;
        }

        public void TopicClosed(string topic)
        {
            lock (Calls) Calls.Add($"close {topic}");
        }

        public void Relay(string topic, PreparedMessage message)
        {
            string what = message.IsText ? $"text '{System.Text.Encoding.UTF8.GetString(message.Payload.Span)}'" : $"binary {message.Payload.Length} bytes";
            lock (Calls) Calls.Add($"relay {topic} {what}");
        }
    }
}
