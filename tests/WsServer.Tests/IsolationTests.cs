using System.Net.WebSockets;
using WsServer.Tests.TestHandlers;
using WsServer.Tests.TestSupport;

namespace WsServer.Tests;

/// <summary>A failing handler closes its own connection with 1011 and no other.</summary>
public sealed class IsolationTests
{
    [Theory]
    [InlineData("throw")]
    [InlineData("fault")]
    public async Task FailingHandlerClosesOnlyItsConnectionWith1011(string trigger)
    {
        await using TestServer server = await TestServer.StartAsync(new ThrowingHandler());
        using ClientWebSocket victim = await server.ConnectAsync();
        using ClientWebSocket bystander = await server.ConnectAsync();

        await victim.SendTextAsync(trigger);

        (WebSocketCloseStatus? status, string? reason) = await victim.ReceiveCloseAsync();
        Assert.Equal(WebSocketCloseStatus.InternalServerError, status);
        Assert.DoesNotContain("bug", reason ?? "", StringComparison.Ordinal);
        await bystander.SendTextAsync("fine");
        Assert.Equal("fine", await bystander.ReceiveTextAsync());
    }

    [Fact]
    public async Task GarbageBeforeTheUpgradeIsRefusedWithoutHarmingOthers()
    {
        await using TestServer server = await TestServer.StartAsync(new EchoHandler());
        using ClientWebSocket good = await server.ConnectAsync();
        using var tcp = new System.Net.Sockets.TcpClient();
        await tcp.ConnectAsync("127.0.0.1", server.Port);
        await tcp.GetStream().WriteAsync("\x16\x03\x01 not http\r\n\r\n"u8.ToArray());
        var buffer = new byte[512];
        int read = await tcp.GetStream().ReadAsync(buffer, Timeouts.Token());

        Assert.StartsWith("HTTP/1.1 400", System.Text.Encoding.ASCII.GetString(buffer, 0, read), StringComparison.Ordinal);
        await good.SendTextAsync("still fine");
        Assert.Equal("still fine", await good.ReceiveTextAsync());
    }
}
