using System.Net.WebSockets;
using WsServer.Routing;
using WsServer.Tests.TestHandlers;
using WsServer.Tests.TestSupport;

namespace WsServer.Tests.Routing;

/// <summary>The seed's to-do "accept connections only for a given resource": exact and prefix routes,
/// 404 for any other path, 426 for a plain HTTP request to a WebSocket route.</summary>
public sealed class RouteTests
{
    private static Task<TestServer> StartAsync(CountingHandler chat, CountingHandler rooms) => TestServer.StartAsync(o =>
    {
        o.Routes.Map("/chat", chat);
        o.Routes.Map("/rooms/*", rooms);
    });

    [Theory]
    [InlineData("/chat", "chat")]
    [InlineData("/rooms/a", "rooms")]
    [InlineData("/rooms/a/b", "rooms")]
    [InlineData("/rooms", "rooms")]
    public async Task EachPathReachesItsHandler(string path, string expected)
    {
        var chat = new CountingHandler();
        var rooms = new CountingHandler();
        await using TestServer server = await StartAsync(chat, rooms);

        using ClientWebSocket client = await server.ConnectAsync(path);
        await client.SendTextAsync("x");
        await client.ReceiveTextAsync();

        Assert.Equal(expected == "chat" ? (1, 0) : (0, 1), (chat.Inits, rooms.Inits));
    }

    [Theory]
    [InlineData("/")]
    [InlineData("/chat/extra")]
    [InlineData("/roomsx")]
    [InlineData("/CHAT")]
    public async Task AnyOtherPathGets404AndNeverReachesAHandler(string path)
    {
        var chat = new CountingHandler();
        var rooms = new CountingHandler();
        await using TestServer server = await StartAsync(chat, rooms);

        HttpAnswer answer = await HttpExchange.SendAsync(server.Port, HttpExchange.UpgradeRequest(server.Port, path));

        Assert.Equal(404, answer.Status);
        Assert.Equal((0, 0), (chat.Inits, rooms.Inits));
    }

    [Fact]
    public async Task APlainHttpRequestToAWebSocketRouteGets426WithUpgradeWebsocket()
    {
        await using TestServer server = await StartAsync(new CountingHandler(), new CountingHandler());

        HttpAnswer answer = await HttpExchange.SendAsync(server.Port, $"GET /chat HTTP/1.1\r\nHost: 127.0.0.1:{server.Port}\r\n\r\n");

        Assert.Equal(426, answer.Status);
        Assert.Equal("websocket", answer.Header("Upgrade"));
    }

    [Fact]
    public async Task TheFallbackServesPathsNoRouteMatches()
    {
        var chat = new CountingHandler();
        var fallback = new CountingHandler();
        await using TestServer server = await TestServer.StartAsync(o => o.Routes.Map("/chat", chat).MapFallback(fallback));

        using ClientWebSocket client = await server.ConnectAsync("/anything");
        await client.SendTextAsync("x");
        await client.ReceiveTextAsync();

        Assert.Equal((0, 1), (chat.Inits, fallback.Inits));
    }

    [Fact]
    public void ARouteMustStartWithASlashAndBeMappedOnce()
    {
        var table = new RouteTable().Map("/a", new EchoHandler());

        Assert.Throws<ArgumentException>(() => table.Map("a", new EchoHandler()));
        Assert.Throws<ArgumentException>(() => table.Map("/a", new EchoHandler()));
    }
}
