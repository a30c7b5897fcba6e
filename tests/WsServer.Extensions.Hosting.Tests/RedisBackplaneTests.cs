using System.Net.WebSockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using RedisProcess = WsServer.Redis.Tests.TestSupport.RedisProcess;
using WsServer.Connections;
using WsServer.Extensions.Hosting.Tests.TestSupport;
using WsServer.PubSub;
using WsServer.Redis;
using WsServer.Tests.TestSupport;

namespace WsServer.Extensions.Hosting.Tests;

/// <summary>AddWsServer takes the Redis backplane from configuration (<c>WsServer:Redis</c>, a string or a
/// section) or from code, starts it with the server and leaves it after the drain.</summary>
public sealed class RedisBackplaneTests
{
    [Fact]
    public async Task TwoHostsConfiguredWithTheSameRedisShareTheirTopics()
    {
        await using RedisProcess redis = await RedisProcess.StartAsync();
        string prefix = "test-" + Guid.NewGuid().ToString("N");
        using IHost first = TestHost.Build(new()
        {
            ["WsServer:Port"] = "0",
            ["WsServer:Redis:Configuration"] = redis.Address,
            ["WsServer:Redis:ChannelPrefix"] = prefix,
            ["WsServer:Redis:MaxQueuedMessages"] = "100",
        }, ws => ws.MapHandler<RoomHandler>("/room"));
        using IHost second = TestHost.Build(new() { ["WsServer:Port"] = "0" },
            ws => ws.MapHandler<RoomHandler>("/room").UseRedisBackplane(_ => new RedisBackplaneOptions
            {
                Configuration = redis.Address,
                ChannelPrefix = prefix,
            }));
        await first.StartAsync(Timeouts.Token());
        await second.StartAsync(Timeouts.Token());
        Assert.True(first.Services.GetRequiredService<RedisBackplane>().IsConnected);

        using var onFirst = new ClientWebSocket();
        using var onSecond = new ClientWebSocket();
        await onFirst.ConnectAsync(first.Uri("/room"), Timeouts.Token());
        await onSecond.ConnectAsync(second.Uri("/room"), Timeouts.Token());
        Assert.Equal("ready", await onFirst.ReceiveTextAsync());
        Assert.Equal("ready", await onSecond.ReceiveTextAsync());

        await onFirst.SendTextAsync("hello from first");

        Assert.Equal("hello from first", await onSecond.ReceiveTextAsync());
        await first.StopAsync(Timeouts.Token());
        await second.StopAsync(Timeouts.Token());
    }

    [Fact]
    public void WithoutRedisTheContainerHasNoBackplane()
    {
        using IHost host = TestHost.Build(new() { ["WsServer:Port"] = "0" }, ws => ws.MapHandler<RoomHandler>("/room"));

        Assert.Null(host.Services.GetService<RedisBackplane>());
    }

    [Theory]
    [InlineData("WsServer:Redis", "password=only", "WsServer:Redis")]
    [InlineData("WsServer:Redis:Configuration", "127.0.0.1:6379,nosuchkey=1", "WsServer:Redis")]
    [InlineData("WsServer:Redis:Nope", "1", "WsServer:Redis:Nope")]
    [InlineData("WsServer:Redis:MaxQueuedMessages", "0", "WsServer:Redis:MaxQueuedMessages")]
    [InlineData("WsServer:Redis:ChannelPrefix", "x", "WsServer:Redis")]
    public async Task ABadRedisSettingFailsTheStartNamingItsKey(string key, string value, string named)
    {
        using IHost host = TestHost.Build(new() { ["WsServer:Port"] = "0", [key] = value }, ws => ws.MapHandler<RoomHandler>("/room"));

        WsServerConfigurationException error =
            await Assert.ThrowsAsync<WsServerConfigurationException>(() => host.StartAsync(Timeouts.Token()));

        Assert.Equal(named, error.Key);
        Assert.StartsWith(named, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("only", error.Message, StringComparison.Ordinal); // the password
    }

    /// <summary>Joins "room" (saying "ready" once the subscription holds on every node) and publishes each
    /// text message there.</summary>
    public sealed class RoomHandler : IWebSocketHandler<WebSocketConnection>
    {
        public async ValueTask<WebSocketConnection> InitAsync(WebSocketConnection connection, CancellationToken cancellationToken)
        {
            await connection.SubscribeAsync("room", cancellationToken);
            await connection.SendAsync("ready", cancellationToken);
            return connection;
        }

        public ValueTask<HandleResult<WebSocketConnection>> HandleAsync(WebSocketMessage message, WebSocketConnection connection,
            CancellationToken cancellationToken)
        {
            connection.Publish("room", PreparedMessage.Text(message.GetText()));
            return new(HandleResult.NoReply(connection));
        }
    }
}
