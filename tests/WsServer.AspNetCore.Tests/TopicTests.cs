using System.Net.WebSockets;
using Microsoft.AspNetCore.Builder;
using WsServer.AspNetCore.Tests.TestSupport;
using WsServer.Connections;
using WsServer.Hosting;
using WsServer.PubSub;
using WsServer.Tests.TestSupport;

namespace WsServer.AspNetCore.Tests;

/// <summary>Topics behind Kestrel: a connection subscribes in init, and what is published to the topic (by the
/// server from the container, or by a connection) reaches every subscriber on this server.</summary>
public sealed class TopicTests
{
    [Fact]
    public async Task WhatOneMemberSaysReachesEveryMemberOfTheRoom()
    {
        await using KestrelApp app = await KestrelApp.StartAsync(a => a.MapWebSocketHandler<RoomHandler>("/room"));
        using ClientWebSocket ada = await app.ConnectAsync("/room?name=ada");
        Assert.Equal("ada joined", await ada.ReceiveTextAsync());
        using ClientWebSocket bob = await app.ConnectAsync("/room?name=bob");
        Assert.Equal("bob joined", await bob.ReceiveTextAsync());
        Assert.Equal("bob joined", await ada.ReceiveTextAsync());

        await bob.SendTextAsync("hello");

        Assert.Equal("bob: hello", await ada.ReceiveTextAsync());
        Assert.Equal("bob: hello", await bob.ReceiveTextAsync());
        Assert.Equal(2, app.Server.Publish("room", PreparedMessage.Text("from the server")));
        Assert.Equal("from the server", await ada.ReceiveTextAsync());
        await bob.CloseAsync(WebSocketCloseStatus.NormalClosure, null, Timeouts.Token());
        Assert.Equal("bob left", await ada.ReceiveTextAsync());
        await ada.CloseAsync(WebSocketCloseStatus.NormalClosure, null, Timeouts.Token());
    }

    [Fact]
    public async Task MembersWhoJoinBeforeReadingHearEachOther()
    {
        await using KestrelApp app = await KestrelApp.StartAsync(a => a.MapWebSocketHandler<RoomHandler>("/room"));
        using ClientWebSocket ada = await app.ConnectAsync("/room?name=ada");
        using ClientWebSocket bob = await app.ConnectAsync("/room?name=bob");

        Assert.Equal("ada joined", await ada.ReceiveTextAsync());
        Assert.Equal("bob joined", await ada.ReceiveTextAsync());
        Assert.Equal("bob joined", await bob.ReceiveTextAsync());
    }

    /// <summary>A room on the topic "room": joins in init, says each text message, says who left.</summary>
    public sealed class RoomHandler(WebSocketServer server) : IWebSocketHandler<string>
    {
        public ValueTask<string> InitAsync(WebSocketConnection connection, CancellationToken cancellationToken)
        {
            string name = connection.Info.QueryValue("name") ?? "?";
            connection.Subscribe("room");
            server.Publish("room", PreparedMessage.Text($"{name} joined"));
            return new(name);
        }

        public ValueTask<HandleResult<string>> HandleAsync(WebSocketMessage message, string name, CancellationToken cancellationToken)
        {
            server.Publish("room", PreparedMessage.Text($"{name}: {message.GetText()}"));
            return new(HandleResult.NoReply(name));
        }

        public ValueTask ClosedAsync(ConnectionClosed closed, string name, CancellationToken cancellationToken)
        {
            server.Publish("room", PreparedMessage.Text($"{name} left"));
            return ValueTask.CompletedTask;
        }
    }
}
