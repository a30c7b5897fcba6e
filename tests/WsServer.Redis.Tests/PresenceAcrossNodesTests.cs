using System.Net.WebSockets;
using StackExchange.Redis;
using WsServer.Connections;
using WsServer.PubSub;
using WsServer.Redis.Tests.TestSupport;

namespace WsServer.Redis.Tests;

/// <summary>Presence across nodes: members of every node listed from any node, joins and leaves told to
/// watchers on every node, a dead node's members gone within its presence timeout, and a Redis restart
/// healed by the nodes themselves.</summary>
public sealed class PresenceAcrossNodesTests
{
    [Fact]
    public async Task MembersOfEveryNodeAreListedAndWatchersOnEveryNodeHearJoinsAndLeaves()
    {
        await using RedisProcess redis = await RedisProcess.StartAsync();
        string prefix = Node.Prefix();
        await using Node a = await Node.StartAsync(redis.Address, "a", prefix);
        await using Node b = await Node.StartAsync(redis.Address, "b", prefix);
        (ClientWebSocket watcherClient, WebSocketConnection watcher) = await b.ConnectBareAsync();
        await watcher.SubscribeAsync("room");
        watcher.WatchPresence("room");
        watcher.JoinPresence("room", "watcher");
        (ClientWebSocket adaClient, WebSocketConnection ada) = await a.ConnectBareAsync();
        await ada.SubscribeAsync("room");

        ada.JoinPresence("room", "ada");

        Assert.Equal($"join a/{ada.Id} ada", await Node.ReceiveTextAsync(watcherClient));
        await Timeouts.Eventually(async () => (await b.Server.GetPresenceAsync("room")).Count == 2);
        IReadOnlyList<PresenceMember> fromA = await a.Server.GetPresenceAsync("room");
        Assert.Equal([$"a/{ada.Id} ada", $"b/{watcher.Id} watcher"], fromA.Select(m => $"{m.Address} {m.Info}").Order());

        await adaClient.CloseAsync(WebSocketCloseStatus.NormalClosure, null, Timeouts.Token());
        Assert.Equal($"leave a/{ada.Id} ada", await Node.ReceiveTextAsync(watcherClient));
        await Timeouts.Eventually(async () => (await a.Server.GetPresenceAsync("room")).Count == 1);
        watcherClient.Dispose();
        adaClient.Dispose();
    }

    [Fact]
    public async Task ANodeThatDiesLeavesPresenceWithinItsTimeout()
    {
        await using RedisProcess redis = await RedisProcess.StartAsync();
        string prefix = Node.Prefix();
        ConnectionMultiplexer doomed = await ConnectionMultiplexer.ConnectAsync(redis.Address);
        await using Node a = await Node.StartAsync(new RedisBackplaneOptions
        {
            Connection = doomed, NodeId = "a", ChannelPrefix = prefix, PresenceTimeout = TimeSpan.FromSeconds(1),
        });
        await using Node b = await Node.StartAsync(redis.Address, "b", prefix);
        (ClientWebSocket client, WebSocketConnection member) = await a.ConnectBareAsync();
        member.JoinPresence("room", "ada");
        await Timeouts.Eventually(async () => (await b.Server.GetPresenceAsync("room")).Count == 1);

        // Node A loses Redis for good, its member still connected: no leave is ever sent for it.
        await doomed.CloseAsync(allowCommandsToComplete: false);

        await Timeouts.Eventually(async () => (await b.Server.GetPresenceAsync("room")).Count == 0);
        await Timeouts.Eventually(async () => await redis.CliAsync("HLEN", $"{prefix}:presence:{{room}}") is "0\n" or "0");
        client.Dispose();
        doomed.Dispose();
    }

    [Fact]
    public async Task AfterARedisRestartTheNodesWriteTheirPresenceAgain()
    {
        await using RedisProcess redis = await RedisProcess.StartAsync();
        string prefix = Node.Prefix();
        await using Node a = await Node.StartAsync(redis.Address, "a", prefix);
        await using Node b = await Node.StartAsync(redis.Address, "b", prefix);
        (ClientWebSocket onA, WebSocketConnection ada) = await a.ConnectBareAsync();
        (ClientWebSocket onB, WebSocketConnection bob) = await b.ConnectBareAsync();
        ada.JoinPresence("room", "ada");
        bob.JoinPresence("room", "bob");
        await Timeouts.Eventually(async () => (await a.Server.GetPresenceAsync("room")).Count == 2);

        await redis.StopAsync();
        await redis.StartAgainAsync(); // empty: nothing was saved

        await Timeouts.Eventually(async () =>
        {
            try
            {
                return (await a.Server.GetPresenceAsync("room")).Select(m => m.Info).Order().SequenceEqual(["ada", "bob"]);
            }
            catch (RedisConnectionException)
            {
                return false; // not reconnected yet
            }
        });
        onA.Dispose();
        onB.Dispose();
    }
}
