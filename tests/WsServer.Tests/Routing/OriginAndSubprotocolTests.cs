using System.Net.WebSockets;
using WsServer.Routing;
using WsServer.Tests.TestHandlers;
using WsServer.Tests.TestSupport;

namespace WsServer.Tests.Routing;

/// <summary>Per-route <c>Sec-WebSocket-Protocol</c> negotiation (RFC 6455 §4.2.2) and the origin allow-list (§10.2).</summary>
public sealed class OriginAndSubprotocolTests
{
    private static Task<TestServer> StartAsync() => TestServer.StartAsync(o => o.Routes
        .Map("/strict", new EchoHandler(), new WebSocketRouteOptions
        {
            AllowedOrigins = ["https://example.com"],
            Subprotocols = ["chat.v2", "chat.v1"],
        })
        .Map("/open", new EchoHandler()));

    [Theory]
    [InlineData("https://evil.example")]
    [InlineData("http://example.com")]
    public async Task AnotherOriginGets403(string origin)
    {
        await using TestServer server = await StartAsync();

        HttpAnswer answer = await HttpExchange.SendAsync(server.Port,
            HttpExchange.UpgradeRequest(server.Port, "/strict", $"Origin: {origin}\r\n"));

        Assert.Equal(403, answer.Status);
    }

    [Theory]
    [InlineData("https://example.com")]
    [InlineData("HTTPS://EXAMPLE.COM")]
    public async Task AnAllowedOriginConnectsCaseInsensitively(string origin)
    {
        await using TestServer server = await StartAsync();
        using var client = new ClientWebSocket();
        client.Options.SetRequestHeader("Origin", origin);

        await client.ConnectAsync(server.Uri("/strict"), Timeouts.Token());

        Assert.Equal(WebSocketState.Open, client.State);
    }

    [Fact]
    public async Task TheServersFirstPreferenceTheClientOffersWins()
    {
        await using TestServer server = await StartAsync();
        using var client = new ClientWebSocket();
        client.Options.AddSubProtocol("chat.v1");
        client.Options.AddSubProtocol("chat.v2");

        await client.ConnectAsync(server.Uri("/strict"), Timeouts.Token());

        Assert.Equal("chat.v2", client.SubProtocol);
    }

    [Fact]
    public async Task NoCommonSubprotocolConnectsWithoutOne()
    {
        await using TestServer server = await StartAsync();
        HttpAnswer answer = await HttpExchange.SendAsync(server.Port,
            HttpExchange.UpgradeRequest(server.Port, "/strict", "Sec-WebSocket-Protocol: other\r\n"));

        Assert.Equal(101, answer.Status);
        Assert.Null(answer.Header("Sec-WebSocket-Protocol"));
    }

    [Fact]
    public async Task ARouteWithoutSubprotocolsAnswersNone()
    {
        await using TestServer server = await StartAsync();

        HttpAnswer answer = await HttpExchange.SendAsync(server.Port,
            HttpExchange.UpgradeRequest(server.Port, "/open", "Sec-WebSocket-Protocol: chat.v2\r\nOrigin: https://any.example\r\n"));

        Assert.Equal(101, answer.Status);
        Assert.Null(answer.Header("Sec-WebSocket-Protocol"));
    }
}
