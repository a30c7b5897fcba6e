using System.Net.WebSockets;
using WsServer.Redis.Tests.TestSupport;

namespace WsServer.Redis.Tests;

/// <summary>On a Redis Cluster, topics travel on sharded channels (SSUBSCRIBE/SPUBLISH), each on the shard
/// its name hashes to, so pub/sub traffic is spread over the shards instead of broadcast to all.</summary>
public sealed class ClusterTests
{
    private const int Topics = 12;

    [Fact]
    public async Task TopicsTravelOnShardedChannelsSpreadOverTheShards()
    {
        await using RedisCluster cluster = await RedisCluster.StartAsync();
        string prefix = Node.Prefix();
        await using Node a = await Node.StartAsync(cluster.Configuration, "a", prefix);
        await using Node b = await Node.StartAsync(cluster.Configuration, "b", prefix);
        Assert.True(a.Backplane.IsSharded);
        Assert.True(b.Backplane.IsSharded);

        var clients = new List<ClientWebSocket>();
        var shardsUsed = new HashSet<int>();
        for (int t = 0; t < Topics; t++)
        {
            (ClientWebSocket client, _) = await a.ConnectAsync($"topic-{t}");
            clients.Add(client);
            b.Publish($"to {t}", $"topic-{t}");
            Assert.Equal($"to {t}", await Node.ReceiveTextAsync(client));

            // Node A listens on exactly one shard, and not with a classic SUBSCRIBE anywhere.
            IReadOnlyList<int> perShard = await cluster.ShardSubscribersAsync($"{prefix}:topic:{{topic-{t}}}");
            Assert.Equal(1, perShard.Sum());
            shardsUsed.Add(perShard.ToList().IndexOf(1));
            foreach (string numsub in await cluster.OnEveryPrimaryAsync("PUBSUB", "NUMSUB", $"{prefix}:topic:{{topic-{t}}}"))
                Assert.EndsWith("\n0", numsub.TrimEnd(), StringComparison.Ordinal);
        }

        Assert.True(shardsUsed.Count >= 2, $"all {Topics} topics on one shard");
        // A send by address crosses nodes on the sharded node channel too.
        (ClientWebSocket onB, ConnectionAddress addressOnB) = await b.ConnectAsync();
        Assert.True(a.Backplane.Send(addressOnB, "direct"));
        Assert.Equal("direct", await Node.ReceiveTextAsync(onB));
        foreach (ClientWebSocket client in clients) client.Dispose();
        onB.Dispose();
    }
}
