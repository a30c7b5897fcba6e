using System.Globalization;
using System.Net.WebSockets;
using System.Text;
using WsServer.Connections;
using WsServer.Hosting;
using WsServer.PubSub;
using WsServer.Redis.Tests.TestSupport;

namespace WsServer.Redis.Tests;

/// <summary>Topic history in Redis: positions are the same on every node, a client that comes back on any
/// node gets what it missed exactly once and in order, and a lost history is reported, not papered over.</summary>
public sealed class HistoryAcrossNodesTests
{
    // Each frame says where it stands: "OFFSET:EPOCH|PAYLOAD".
    private static readonly TopicHistoryOptions History = new()
    {
        MaxMessages = 10_000,
        Format = m => PreparedMessage.Text($"{m.Position}|{Encoding.UTF8.GetString(m.Payload.Span)}"),
    };

    private static Action<ServerOptions> Keep(TopicHistoryOptions options) => o => o.History.Keep("room:*", options);

    [Fact]
    public async Task EveryNodeSeesTheSamePositionsAndAComebackOnAnotherNodeGetsWhatItMissed()
    {
        await using RedisProcess redis = await RedisProcess.StartAsync();
        (Node a, Node b) = await TwoNodesAsync(redis.Address, Keep(History));
        await using Node _ = a, __ = b;
        (ClientWebSocket onA, WebSocketConnection onAConnection) = await a.ConnectBareAsync();
        (ClientWebSocket onB, WebSocketConnection onBConnection) = await b.ConnectBareAsync();
        await onAConnection.SubscribeAsync("room:1", last: 0);
        await onBConnection.SubscribeAsync("room:1", last: 0);

        for (int i = 1; i <= 3; i++) a.Publish($"m{i}", "room:1");
        string[] seenOnA = await ReadTextsAsync(onA, 3), seenOnB = await ReadTextsAsync(onB, 3);
        Assert.Equal(seenOnA, seenOnB);
        Assert.True(TopicPosition.TryParse(seenOnB[^1].Split('|')[0], out TopicPosition lastSeen));
        Assert.Equal(3, lastSeen.Offset);
        onB.Dispose();

        for (int i = 4; i <= 6; i++) b.Publish($"m{i}", "room:1");
        // B's publishes reach Redis on their own time: the comeback is to find all three there, not to race them.
        await Timeouts.Eventually(async () => (await a.Server.ReadHistoryAsync("room:1")).Latest.Offset == 6);
        (ClientWebSocket back, WebSocketConnection backConnection) = await a.ConnectBareAsync();
        TopicRecovery recovery = await backConnection.SubscribeAsync("room:1", lastSeen);
        a.Publish("m7", "room:1");

        Assert.True(recovery.Recovered);
        Assert.Equal(3, recovery.Replayed);
        Assert.Equal(["m4", "m5", "m6", "m7"], (await ReadTextsAsync(back, 4)).Select(t => t.Split('|')[1]));
        onA.Dispose();
        back.Dispose();
    }

    [Fact]
    public async Task ALateJoinerGetsTheLastMessagesFromRedis()
    {
        await using RedisProcess redis = await RedisProcess.StartAsync();
        (Node a, Node b) = await TwoNodesAsync(redis.Address, Keep(History with { MaxMessages = 3 }));
        await using Node _ = a, __ = b;
        for (int i = 1; i <= 5; i++) a.Publish($"m{i}", "room:late");
        await Timeouts.Eventually(async () => (await b.Server.ReadHistoryAsync("room:late")).Latest.Offset == 5);

        (ClientWebSocket client, WebSocketConnection connection) = await b.ConnectBareAsync();
        TopicRecovery joined = await connection.SubscribeAsync("room:late", last: 50);

        Assert.Equal(3, joined.Replayed);
        Assert.Equal(["3", "4", "5"], (await ReadTextsAsync(client, 3)).Select(t => t.Split(':')[0]));
        client.Dispose();
    }

    [Fact]
    public async Task APositionTooOldOrFromAFlushedRedisIsNotRecovered()
    {
        await using RedisProcess redis = await RedisProcess.StartAsync();
        (Node a, Node b) = await TwoNodesAsync(redis.Address, Keep(History with { MaxMessages = 2 }));
        await using Node _ = a, __ = b;
        for (int i = 1; i <= 4; i++) a.Publish($"m{i}", "room:old");
        await Timeouts.Eventually(async () => (await b.Server.ReadHistoryAsync("room:old")).Latest.Offset == 4);
        string epoch = (await b.Server.ReadHistoryAsync("room:old")).Latest.Epoch;

        (ClientWebSocket first, WebSocketConnection firstConnection) = await b.ConnectBareAsync();
        TopicRecovery tooOld = await firstConnection.SubscribeAsync("room:old", new TopicPosition(1, epoch));
        Assert.False(tooOld.Recovered);
        Assert.Equal(0, tooOld.Replayed);

        await redis.CliAsync("FLUSHALL");
        a.Publish("after the flush", "room:old");
        string live = (await ReadTextsAsync(first, 1))[0];
        Assert.True(TopicPosition.TryParse(live.Split('|')[0], out TopicPosition fresh));
        Assert.Equal(1, fresh.Offset);
        Assert.NotEqual(epoch, fresh.Epoch); // a new epoch: the old positions mean nothing now
        (ClientWebSocket second, WebSocketConnection secondConnection) = await b.ConnectBareAsync();
        Assert.False((await secondConnection.SubscribeAsync("room:old", new TopicPosition(4, epoch))).Recovered);
        first.Dispose();
        second.Dispose();
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task UnderPublishersOnBothNodesASubscriberBouncingBetweenThemGetsEveryMessageOnceInOrder(bool cluster)
    {
        const int perPublisher = 250;
        await using RedisProcess? redis = cluster ? null : await RedisProcess.StartAsync();
        await using RedisCluster? shards = cluster ? await RedisCluster.StartAsync() : null;
        (Node a, Node b) = await TwoNodesAsync(shards?.Configuration ?? redis!.Address, Keep(History));
        await using Node _ = a, __ = b;
        Node[] nodes = [a, b];
        Task publishing = Task.WhenAll(nodes.Select((node, p) => Task.Run(async () =>
        {
            for (int i = 0; i < perPublisher; i++)
            {
                node.Publish($"{p}.{i}", "room:busy");
                if (i % 10 == 0) await Task.Delay(1);
            }
        })));

        var random = new Random(4122026);
        var received = new List<string>();
        TopicPosition? last = null;
        while (received.Count < 2 * perPublisher)
        {
            (ClientWebSocket client, WebSocketConnection connection) = await nodes[random.Next(2)].ConnectBareAsync();
            TopicRecovery recovery = last is { } since
                ? await connection.SubscribeAsync("room:busy", since)
                : await connection.SubscribeAsync("room:busy", last: 10_000);
            Assert.True(recovery.Recovered);
            int read = Math.Min(random.Next(1, 120), 2 * perPublisher - received.Count);
            foreach (string text in await ReadTextsAsync(client, read))
            {
                Assert.True(TopicPosition.TryParse(text.Split('|')[0], out TopicPosition position));
                if (last is { } previous) Assert.Equal(previous.Offset + 1, position.Offset); // no gap, no repeat
                last = position;
                received.Add(text.Split('|')[1]);
            }
            client.Dispose();
        }
        await publishing.WaitAsync(Timeouts.Default);

        Assert.Equal(2 * perPublisher, received.Distinct().Count());
        for (int p = 0; p < 2; p++)
        {
            int[] order = [.. received.Where(r => r.StartsWith($"{p}.", StringComparison.Ordinal))
                .Select(r => int.Parse(r[2..], CultureInfo.InvariantCulture))];
            Assert.Equal(Enumerable.Range(0, perPublisher), order);
        }
    }

    [Fact]
    public async Task HistoryWorksOnARedisClusterToo()
    {
        await using RedisCluster cluster = await RedisCluster.StartAsync();
        (Node a, Node b) = await TwoNodesAsync(cluster.Configuration, Keep(History));
        await using Node _ = a, __ = b;
        Assert.True(a.Backplane.IsSharded);
        for (int t = 0; t < 6; t++)
        {
            for (int i = 1; i <= 2; i++) a.Publish($"t{t}m{i}", $"room:{t}");
        }
        for (int t = 0; t < 6; t++)
        {
            await Timeouts.Eventually(async () => (await b.Server.ReadHistoryAsync($"room:{t}")).Latest.Offset == 2);
            (ClientWebSocket client, WebSocketConnection connection) = await b.ConnectBareAsync();
            TopicRecovery joined = await connection.SubscribeAsync($"room:{t}", last: 10);
            a.Publish($"t{t}m3", $"room:{t}");
            Assert.Equal(2, joined.Replayed);
            Assert.Equal([$"t{t}m1", $"t{t}m2", $"t{t}m3"], (await ReadTextsAsync(client, 3)).Select(x => x.Split('|')[1]));
            client.Dispose();
        }
    }

    private static async Task<(Node, Node)> TwoNodesAsync(string configuration, Action<ServerOptions> configure)
    {
        string prefix = Node.Prefix();
        Node a = await Node.StartAsync(new RedisBackplaneOptions { Configuration = configuration, NodeId = "a", ChannelPrefix = prefix },
            configure: configure);
        Node b = await Node.StartAsync(new RedisBackplaneOptions { Configuration = configuration, NodeId = "b", ChannelPrefix = prefix },
            configure: configure);
        return (a, b);
    }

    private static async Task<string[]> ReadTextsAsync(ClientWebSocket client, int count)
    {
        var texts = new string[count];
        for (int i = 0; i < count; i++) texts[i] = await Node.ReceiveTextAsync(client);
        return texts;
    }
}
