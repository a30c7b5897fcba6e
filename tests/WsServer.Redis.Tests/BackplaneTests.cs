using System.Net.WebSockets;
using WsServer.Redis.Tests.TestSupport;

namespace WsServer.Redis.Tests;

/// <summary>Two nodes in one process, each a server with a ClientWebSocket client, sharing a
/// redis-server of the test's own.</summary>
public sealed class BackplaneTests
{
    private static string Prefix() => "test-" + Guid.NewGuid().ToString("N");

    [Fact]
    public async Task APublishOnOneNodeReachesTheSubscribersOfEveryNode()
    {
        await using RedisProcess redis = await RedisProcess.StartAsync();
        string prefix = Prefix();
        await using Node a = await Node.StartAsync(redis.Address, "a", prefix);
        await using Node b = await Node.StartAsync(redis.Address, "b", prefix);
        (ClientWebSocket onA, _) = await a.ConnectAsync();
        (ClientWebSocket onB, _) = await b.ConnectAsync();

        Assert.True(await a.Backplane.PublishAsync(Node.Topic, "hello"));

        Assert.Equal("hello", await Node.ReceiveTextAsync(onB));
        Assert.Equal("hello", await Node.ReceiveTextAsync(onA));
        onA.Dispose();
        onB.Dispose();
    }

    [Fact]
    public async Task AForeignMessageOnTheTopicsChannelIsLoggedAndIgnored()
    {
        await using RedisProcess redis = await RedisProcess.StartAsync();
        string prefix = Prefix();
        var logs = new RecordedLogs();
        await using Node a = await Node.StartAsync(redis.Address, "a", prefix);
        await using Node b = await Node.StartAsync(redis.Address, "b", prefix, logs: logs);
        (ClientWebSocket onB, _) = await b.ConnectAsync();
        await using (StackExchange.Redis.ConnectionMultiplexer other = await StackExchange.Redis.ConnectionMultiplexer.ConnectAsync(redis.Address))
        {
            await other.GetSubscriber().PublishAsync(StackExchange.Redis.RedisChannel.Literal(prefix + ":topics"), "not an envelope");
        }

        Assert.True(await a.Backplane.PublishAsync(Node.Topic, "real"));

        Assert.Equal("real", await Node.ReceiveTextAsync(onB));
        await Eventually(() => logs.Entries.Any(e => e.EventId == 505 && e.Message.Contains(prefix + ":topics", StringComparison.Ordinal)));
        onB.Dispose();
    }

    [Fact]
    public async Task ASendByAddressReachesTheConnectionOnTheOtherNode()
    {
        await using RedisProcess redis = await RedisProcess.StartAsync();
        string prefix = Prefix();
        await using Node a = await Node.StartAsync(redis.Address, "a", prefix);
        await using Node b = await Node.StartAsync(redis.Address, "b", prefix);
        (ClientWebSocket onA, ConnectionAddress addressOnA) = await a.ConnectAsync();
        (ClientWebSocket onB, ConnectionAddress addressOnB) = await b.ConnectAsync();

        Assert.True(await a.Backplane.SendAsync(ConnectionAddress.Parse(addressOnB.ToString()), "to b"));
        Assert.True(await b.Backplane.SendAsync(addressOnA, "to a"));

        Assert.Equal("to b", await Node.ReceiveTextAsync(onB));
        Assert.Equal("to a", await Node.ReceiveTextAsync(onA));
        onA.Dispose();
        onB.Dispose();
    }

    [Fact]
    public async Task TheNodesRecoverByThemselvesWhenRedisComesBack()
    {
        using var metrics = new MetricTotals();
        var logs = new RecordedLogs();
        await using RedisProcess redis = await RedisProcess.StartAsync();
        string prefix = Prefix();
        await using Node a = await Node.StartAsync(redis.Address, "a", prefix, metrics, logs);
        await using Node b = await Node.StartAsync(redis.Address, "b", prefix, metrics);
        (ClientWebSocket onA, _) = await a.ConnectAsync();
        (ClientWebSocket onB, _) = await b.ConnectAsync();
        Assert.True(await a.Backplane.PublishAsync(Node.Topic, "before"));
        Assert.Equal("before", await Node.ReceiveTextAsync(onB));
        Assert.Equal("before", await Node.ReceiveTextAsync(onA));

        await redis.StopAsync();
        await Eventually(() => !a.Backplane.IsConnected && !b.Backplane.IsConnected);
        // Dropped for the other node; A's own subscriber still gets it.
        Assert.False(await a.Backplane.PublishAsync(Node.Topic, "during"));
        Assert.Equal("during", await Node.ReceiveTextAsync(onA));

        await redis.StartAgainAsync();
        Task<string> received = Node.ReceiveTextAsync(onB);
        for (int attempt = 0; !received.IsCompleted; attempt++)
        {
            Assert.True(attempt < 200, "no publish reached node B after Redis came back");
            await a.Backplane.PublishAsync(Node.Topic, "after");
            await Task.WhenAny(received, Task.Delay(100));
        }

        Assert.Equal("after", await received);
        await Eventually(() => metrics[RedisBackplaneMetrics.Reconnects] >= 2); // both nodes
        Assert.True(metrics[RedisBackplaneMetrics.MessagesDropped] >= 1);
        Assert.True(metrics[RedisBackplaneMetrics.MessagesRelayed + "/out"] >= 2);
        Assert.True(metrics[RedisBackplaneMetrics.MessagesRelayed + "/in"] >= 2);
        Assert.True(metrics[RedisBackplaneMetrics.Lag + ".count"] >= 2);
        // The gap is logged: lost (502), then back (503) with how many were dropped.
        Assert.True(logs.Has(500) && logs.Has(502), string.Join("\n", logs.Entries));
        await Eventually(() => logs.Has(503));
        // At least "during"; some of the retries may have been dropped too.
        Assert.Contains(logs.Entries, e => e.EventId == 503
            && System.Text.RegularExpressions.Regex.IsMatch(e.Message, "; [1-9][0-9]* messages published meanwhile were dropped"));
        onA.Dispose();
        onB.Dispose();
    }

    [Fact]
    public async Task ARedisUnreachableAtStartIsRetriedWhileLocalClientsAreServed()
    {
        int port = RedisProcess.FreePort();
        string prefix = Prefix();
        var logs = new RecordedLogs();
        await using Node a = await Node.StartAsync($"127.0.0.1:{port}", "a", prefix, logs: logs);
        Assert.Contains(logs.Entries, e => e.EventId == 501 && e.Message.Contains($"127.0.0.1:{port}", StringComparison.Ordinal));
        (ClientWebSocket onA, _) = await a.ConnectAsync();

        Assert.False(await a.Backplane.PublishAsync(Node.Topic, "local only"));
        Assert.Equal("local only", await Node.ReceiveTextAsync(onA));

        // Redis comes up later: node A connects and subscribes by itself, and hears node B.
        await using RedisProcess redis = await RedisProcess.StartAsync(port);
        await using Node b = await Node.StartAsync(redis.Address, "b", prefix);
        Task<string> received = Node.ReceiveTextAsync(onA);
        for (int attempt = 0; !received.IsCompleted; attempt++)
        {
            Assert.True(attempt < 200, "node A never heard node B after Redis came up");
            await b.Backplane.PublishAsync(Node.Topic, "from b");
            await Task.WhenAny(received, Task.Delay(100));
        }
        Assert.Equal("from b", await received);
        await Eventually(() => logs.Has(503));
        onA.Dispose();
    }

    [Theory]
    [InlineData("localhost")]
    [InlineData("localhost:")]
    [InlineData("localhost:redis")]
    [InlineData("localhost:70000")]
    [InlineData(":6379")]
    [InlineData("not a host:6379")]
    [InlineData("::1:6379")]
    public async Task ABadAddressFailsWithTheAddressNamed(string address)
    {
        await using var server = new Hosting.WebSocketServer(new Hosting.ServerOptions { Port = 0 }.UseHandler(new NoHandler()));

        ArgumentException failure = Assert.Throws<ArgumentException>(
            () => new RedisBackplane(server, new RedisBackplaneOptions { Address = address }));

        Assert.Contains($"'{address}'", failure.Message, StringComparison.Ordinal);
    }

    private static async Task Eventually(Func<bool> condition)
    {
        for (int attempt = 0; !condition(); attempt++)
        {
            Assert.True(attempt < 400, "the condition did not come true");
            await Task.Delay(50);
        }
    }

    private sealed class NoHandler : Handlers.IWebSocketHandler
    {
        public ValueTask<Handlers.HandleResult> HandleAsync(Handlers.WebSocketMessage message,
            Connections.WebSocketConnection connection, CancellationToken cancellationToken) => new(Handlers.HandleResult.NoReply());
    }
}
