using System.Net.WebSockets;
using WsServer.Redis.Tests.TestSupport;

namespace WsServer.Redis.Tests;

/// <summary>Two nodes in one process, each a server with a ClientWebSocket client, sharing a
/// redis-server of the test's own.</summary>
public sealed class BackplaneTests
{
    [Fact]
    public async Task APublishOnOneNodeReachesTheSubscribersOfEveryNode()
    {
        await using RedisProcess redis = await RedisProcess.StartAsync();
        string prefix = Node.Prefix();
        await using Node a = await Node.StartAsync(redis.Address, "a", prefix);
        await using Node b = await Node.StartAsync(redis.Address, "b", prefix);
        (ClientWebSocket onA, _) = await a.ConnectAsync();
        (ClientWebSocket onB, _) = await b.ConnectAsync();

        Assert.Equal(1, a.Publish("hello"));

        Assert.Equal("hello", await Node.ReceiveTextAsync(onB));
        Assert.Equal("hello", await Node.ReceiveTextAsync(onA));
        onA.Dispose();
        onB.Dispose();
    }

    [Fact]
    public async Task AForeignMessageOnATopicsChannelIsLoggedAndIgnored()
    {
        await using RedisProcess redis = await RedisProcess.StartAsync();
        string prefix = Node.Prefix();
        var logs = new RecordedLogs();
        await using Node a = await Node.StartAsync(redis.Address, "a", prefix);
        await using Node b = await Node.StartAsync(redis.Address, "b", prefix, logs: logs);
        (ClientWebSocket onB, _) = await b.ConnectAsync();
        await using (StackExchange.Redis.ConnectionMultiplexer other = await StackExchange.Redis.ConnectionMultiplexer.ConnectAsync(redis.Address))
        {
            await other.GetSubscriber().PublishAsync(StackExchange.Redis.RedisChannel.Literal(prefix + ":topic:{" + Node.Topic + "}"), "not an envelope");
        }

        a.Publish("real");

        Assert.Equal("real", await Node.ReceiveTextAsync(onB));
        await Timeouts.Eventually(() => logs.Entries.Any(e => e.EventId == 505 && e.Message.Contains(prefix + ":topic:{" + Node.Topic + "}", StringComparison.Ordinal)));
        onB.Dispose();
    }

    [Fact]
    public async Task ASendByAddressReachesTheConnectionOnTheOtherNode()
    {
        await using RedisProcess redis = await RedisProcess.StartAsync();
        string prefix = Node.Prefix();
        await using Node a = await Node.StartAsync(redis.Address, "a", prefix);
        await using Node b = await Node.StartAsync(redis.Address, "b", prefix);
        (ClientWebSocket onA, ConnectionAddress addressOnA) = await a.ConnectAsync();
        (ClientWebSocket onB, ConnectionAddress addressOnB) = await b.ConnectAsync();

        Assert.True(a.Backplane.Send(ConnectionAddress.Parse(addressOnB.ToString()), "to b"));
        Assert.True(b.Backplane.Send(addressOnA, "to a"));

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
        string prefix = Node.Prefix();
        await using Node a = await Node.StartAsync(redis.Address, "a", prefix, metrics, logs);
        await using Node b = await Node.StartAsync(redis.Address, "b", prefix, metrics);
        (ClientWebSocket onA, _) = await a.ConnectAsync();
        (ClientWebSocket onB, _) = await b.ConnectAsync();
        a.Publish("before");
        Assert.Equal("before", await Node.ReceiveTextAsync(onB));
        Assert.Equal("before", await Node.ReceiveTextAsync(onA));

        await redis.StopAsync();
        await Timeouts.Eventually(() => !a.Backplane.IsConnected && !b.Backplane.IsConnected);
        // Queued for the other node; A's own subscriber gets it at once.
        a.Publish("during");
        Assert.Equal("during", await Node.ReceiveTextAsync(onA));

        await redis.StartAgainAsync();
        // B hears A again once both are back; "during" may come first (A may publish it before B resubscribed).
        for (int attempt = 0; ; attempt++)
        {
            Assert.True(attempt < 200, "no publish reached node B after Redis came back");
            a.Publish("after");
            using var wait = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));
            try
            {
                string received = await Node.ReceiveTextAsync(onB, wait.Token);
                if (received == "after") break;
                Assert.Equal("during", received);
            }
            catch (OperationCanceledException)
            {
                onB.Dispose(); // a cancelled receive aborts the client: reconnect to B
                (onB, _) = await b.ConnectAsync();
            }
        }

        await Timeouts.Eventually(() => metrics[RedisBackplaneMetrics.Reconnects] >= 2); // both nodes
        Assert.True(metrics[RedisBackplaneMetrics.MessagesRelayed + "/out"] >= 2);
        Assert.True(metrics[RedisBackplaneMetrics.MessagesRelayed + "/in"] >= 2);
        Assert.True(metrics[RedisBackplaneMetrics.Lag + ".count"] >= 2);
        // The gap is logged: lost (502), then back (503).
        Assert.True(logs.Has(500) && logs.Has(502), string.Join("\n", logs.Entries));
        await Timeouts.Eventually(() => logs.Has(503));
        onA.Dispose();
        onB.Dispose();
    }

    [Fact]
    public async Task ARedisUnreachableAtStartIsRetriedWhileLocalClientsAreServed()
    {
        int port = RedisProcess.FreePort();
        string prefix = Node.Prefix();
        var logs = new RecordedLogs();
        await using Node a = await Node.StartAsync($"127.0.0.1:{port}", "a", prefix, logs: logs);
        await Timeouts.Eventually(() => logs.Entries.Any(e => e.EventId == 501 && e.Message.Contains($"127.0.0.1:{port}", StringComparison.Ordinal)));
        (ClientWebSocket onA, _) = await a.ConnectAsync();

        Assert.Equal(1, a.Publish("local only"));
        Assert.Equal("local only", await Node.ReceiveTextAsync(onA));

        // Redis comes up later: node A connects and subscribes by itself, and hears node B.
        await using RedisProcess redis = await RedisProcess.StartAsync(port);
        await using Node b = await Node.StartAsync(redis.Address, "b", prefix);
        Task<string> received = Node.ReceiveTextAsync(onA);
        for (int attempt = 0; !received.IsCompleted; attempt++)
        {
            Assert.True(attempt < 200, "node A never heard node B after Redis came up");
            b.Publish("from b");
            await Task.WhenAny(received, Task.Delay(100));
        }
        Assert.Equal("from b", await received);
        await Timeouts.Eventually(() => logs.Has(503));
        onA.Dispose();
    }

    [Theory]
    [InlineData(" ", "is empty")]
    [InlineData("password=secret", "names no server")]
    [InlineData("localhost:6379,nosuchkey=1", "nosuchkey")]
    [InlineData("redis://", "not valid")]
    [InlineData("redis://localhost:6379/zero", "not a database number")]
    public async Task ABadConfigurationFailsSayingWhatIsWrong(string configuration, string said)
    {
        await using var server = new Hosting.WebSocketServer(new Hosting.ServerOptions { Port = 0 }.UseHandler(new NoHandler()));

        ArgumentException failure = Assert.Throws<ArgumentException>(
            () => new RedisBackplane(server, new RedisBackplaneOptions { Configuration = configuration }));

        Assert.Contains(said, failure.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("secret", failure.Message, StringComparison.Ordinal);
    }


    private sealed class NoHandler : Connections.IWebSocketHandler
    {
        public ValueTask<Connections.HandleResult> HandleAsync(Connections.WebSocketMessage message,
            Connections.WebSocketConnection connection, CancellationToken cancellationToken) => new(Connections.HandleResult.NoReply());
    }
}
