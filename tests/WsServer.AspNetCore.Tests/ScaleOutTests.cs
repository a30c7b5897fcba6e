using System.Net.WebSockets;
using WsServer.AspNetCore.Tests.TestSupport;
using WsServer.Redis.Tests.TestSupport;
using Timeouts = WsServer.Tests.TestSupport.Timeouts;

namespace WsServer.AspNetCore.Tests;

/// <summary>Two ASP.NET Core applications sharing a Redis (a redis-server of the test's own): the topic of a room
/// spans both, as it does for standalone servers, through the same backplane.</summary>
public sealed class ScaleOutTests
{
    [Fact]
    public async Task WhatAMemberOnOneApplicationSaysReachesAMemberOnTheOther()
    {
        await using RedisProcess redis = await RedisProcess.StartAsync();
        await using KestrelApp north = await StartAsync(redis);
        await using KestrelApp south = await StartAsync(redis);
        using ClientWebSocket ada = await north.ConnectAsync("/room?name=ada");
        Assert.Equal("ada joined", await ada.ReceiveTextAsync());
        using ClientWebSocket bob = await south.ConnectAsync("/room?name=bob");
        Assert.Equal("bob joined", await bob.ReceiveTextAsync());
        // Both nodes have subscribed to the room's channel (interest routing) before anyone speaks.
        await Redis.Tests.TestSupport.Timeouts.Eventually(async () => await redis.ChannelSubscribersAsync("wsserver:topic:{room}") == 2);

        await bob.SendTextAsync("hello from the south");

        // A join crosses too when the other node's subscription was there in time; the words surely do.
        Assert.Equal("bob: hello from the south", await SkippingJoinsAsync(ada));
        Assert.Equal("bob: hello from the south", await SkippingJoinsAsync(bob));
        await ada.CloseAsync(WebSocketCloseStatus.NormalClosure, null, Timeouts.Token());
        await bob.CloseAsync(WebSocketCloseStatus.NormalClosure, null, Timeouts.Token());
    }

    private static async Task<string> SkippingJoinsAsync(ClientWebSocket member)
    {
        for (int read = 0; read < 4; read++)
        {
            string text = await member.ReceiveTextAsync();
            if (!text.EndsWith(" joined", StringComparison.Ordinal)) return text;
        }
        throw new InvalidOperationException("only joins");
    }

    private static Task<KestrelApp> StartAsync(RedisProcess redis) =>
        KestrelApp.StartAsync(a => a.MapWebSocketHandler<TopicTests.RoomHandler>("/room"), server: ws => ws.UseRedisBackplane(redis.Address));
}
