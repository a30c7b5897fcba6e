using System.Net.WebSockets;
using WsServer.Redis.Tests.TestSupport;

namespace WsServer.Redis.Tests;

/// <summary>Each topic has its own channel, which a node listens to only while it has a subscriber to the
/// topic: traffic goes only where subscribers are.</summary>
public sealed class InterestRoutingTests
{
    [Fact]
    public async Task ANodeWithNoSubscriberToATopicReceivesNoneOfItsTraffic()
    {
        await using RedisProcess redis = await RedisProcess.StartAsync();
        string prefix = Node.Prefix();
        var metrics = new MetricTotals[4];
        var nodes = new Node[4];
        for (int i = 0; i < nodes.Length; i++)
        {
            metrics[i] = new MetricTotals();
            nodes[i] = await Node.StartAsync(redis.Address, $"n{i}", prefix, metrics[i]);
        }
        try
        {
            // "red" on nodes 0 and 1, "blue" on node 2, nothing on node 3.
            (ClientWebSocket red0, _) = await nodes[0].ConnectAsync("red");
            (ClientWebSocket red1, _) = await nodes[1].ConnectAsync("red");
            (ClientWebSocket blue2, _) = await nodes[2].ConnectAsync("blue");
            Assert.Equal(2, await redis.ChannelSubscribersAsync($"{prefix}:topic:{{red}}"));
            Assert.Equal(1, await redis.ChannelSubscribersAsync($"{prefix}:topic:{{blue}}"));

            for (int i = 0; i < 10; i++) nodes[3].Publish($"red {i}", "red");
            nodes[3].Publish("blue 0", "blue");

            for (int i = 0; i < 10; i++)
            {
                Assert.Equal($"red {i}", await Node.ReceiveTextAsync(red0));
                Assert.Equal($"red {i}", await Node.ReceiveTextAsync(red1));
            }
            Assert.Equal("blue 0", await Node.ReceiveTextAsync(blue2));
            Assert.Equal(10, metrics[0][RedisBackplaneMetrics.MessagesRelayed + "/in"]);
            Assert.Equal(10, metrics[1][RedisBackplaneMetrics.MessagesRelayed + "/in"]);
            Assert.Equal(1, metrics[2][RedisBackplaneMetrics.MessagesRelayed + "/in"]);
            Assert.Equal(0, metrics[3][RedisBackplaneMetrics.MessagesRelayed + "/in"]);
            Assert.Equal(11, metrics[3][RedisBackplaneMetrics.MessagesRelayed + "/out"]);

            // The last subscriber on node 1 leaves: node 1 stops listening to "red".
            await red1.CloseAsync(WebSocketCloseStatus.NormalClosure, null, Timeouts.Token());
            await Timeouts.Eventually(async () => await redis.ChannelSubscribersAsync($"{prefix}:topic:{{red}}") == 1);
            red0.Dispose();
            red1.Dispose();
            blue2.Dispose();
        }
        finally
        {
            foreach (Node node in nodes) await node.DisposeAsync();
            foreach (MetricTotals totals in metrics) totals.Dispose();
        }
    }

    [Fact]
    public async Task ASubscriptionThatHasCompletedGetsEveryMessagePublishedElsewhereFromThenOn()
    {
        await using RedisProcess redis = await RedisProcess.StartAsync();
        string prefix = Node.Prefix();
        await using Node a = await Node.StartAsync(redis.Address, "a", prefix);
        await using Node b = await Node.StartAsync(redis.Address, "b", prefix);

        // Each topic is new to node A, so each "ready" waits for A's Redis subscription; the one publish
        // that follows must arrive with no retry.
        for (int i = 0; i < 20; i++)
        {
            (ClientWebSocket client, _) = await a.ConnectAsync($"fresh-{i}");
            b.Publish($"first {i}", $"fresh-{i}");
            Assert.Equal($"first {i}", await Node.ReceiveTextAsync(client));
            client.Dispose();
        }
    }

    [Fact]
    public async Task ATopicClosedAndReopenedWhileItsSubscribeIsInFlightEndsSubscribed()
    {
        await using RedisProcess redis = await RedisProcess.StartAsync();
        string prefix = Node.Prefix();
        await using Node a = await Node.StartAsync(redis.Address, "a", prefix);
        await using Node b = await Node.StartAsync(redis.Address, "b", prefix);
        SeamProbe probe = new(a.Backplane);

        // Open, close, open in a row, without waiting: Redis must end with A subscribed.
        Task first = probe.Open("flip");
        probe.Close("flip");
        Task second = probe.Open("flip");
        await Task.WhenAll(first, second).WaitAsync(Timeouts.Default);
        Assert.Equal(1, await redis.ChannelSubscribersAsync($"{prefix}:topic:{{flip}}"));

        probe.Close("flip");
        await Timeouts.Eventually(async () => await redis.ChannelSubscribersAsync($"{prefix}:topic:{{flip}}") == 0);
    }


    // The backplane's side of the server's seam, called as the server's topic registry calls it.
    private readonly struct SeamProbe(PubSub.ITopicBackplane backplane)
    {
        public Task Open(string topic) => backplane.TopicOpened(topic);

        public void Close(string topic) => backplane.TopicClosed(topic);
    }
}
