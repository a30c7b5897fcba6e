using System.Net;
using System.Net.WebSockets;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using WsServer.AspNetCore.Tests.TestSupport;
using WsServer.Connections;
using WsServer.Tests.TestSupport;

namespace WsServer.AspNetCore.Tests;

/// <summary>A handler on a Kestrel endpoint, reached with .NET's ClientWebSocket over HTTP/1.1: WsServer answers
/// the upgrade and runs the codec; Kestrel only accepts and hands over the stream.</summary>
public sealed class EndpointEchoTests
{
    [Fact]
    public async Task ADelegateRouteEchoesTextAndBinaryAndClosesNormally()
    {
        await using KestrelApp app = await KestrelApp.StartAsync(a => a.MapWebSocketHandler("/echo", (message, _) => HandleResult.Reply(message)));
        using ClientWebSocket client = await app.ConnectAsync("/echo");

        await client.SendTextAsync("héllo");
        Assert.Equal("héllo", await client.ReceiveTextAsync());
        byte[] binary = [.. Enumerable.Range(0, 70_000).Select(i => (byte)i)];
        await client.SendAsync(binary, WebSocketMessageType.Binary, true, Timeouts.Token());
        (WebSocketMessageType type, byte[] echoed) = await client.ReceiveMessageAsync();
        Assert.Equal(WebSocketMessageType.Binary, type);
        Assert.Equal(binary, echoed);
        await client.CloseAsync(WebSocketCloseStatus.NormalClosure, "bye", Timeouts.Token());

        Assert.Equal(WebSocketCloseStatus.NormalClosure, client.CloseStatus);
        Assert.True(await Timeouts.Eventually(() => app.Server.ConnectionCount == 0));
    }

    [Fact]
    public async Task WsServerAnswersTheUpgradeWithItsOwnHeadersAndDeflate()
    {
        await using KestrelApp app = await KestrelApp.StartAsync(a => a.MapWebSocketHandler("/echo", (message, _) => HandleResult.Reply(message),
            new Routing.WebSocketRouteOptions { Subprotocols = ["chat.v2", "chat.v1"] }));
        using var client = new ClientWebSocket();
        client.Options.CollectHttpResponseDetails = true;
        client.Options.AddSubProtocol("chat.v1");
        client.Options.AddSubProtocol("chat.v2");
        client.Options.DangerousDeflateOptions = new WebSocketDeflateOptions();
        await client.ConnectAsync(app.Uri("/echo"), Timeouts.Token());

        Assert.Equal(HttpStatusCode.SwitchingProtocols, client.HttpStatusCode);
        Assert.Equal("chat.v2", client.SubProtocol); // the route's preference, not the client's order
        Assert.StartsWith("permessage-deflate", client.HttpResponseHeaders!["Sec-WebSocket-Extensions"].Single(), StringComparison.Ordinal);
        string text = string.Concat(Enumerable.Repeat("compressible ", 500));
        await client.SendTextAsync(text);
        Assert.Equal(text, await client.ReceiveTextAsync());
        await client.CloseAsync(WebSocketCloseStatus.NormalClosure, null, Timeouts.Token());
    }

    [Fact]
    public async Task AHandlerClassComesFromTheContainerAndSeesTheHttpContext()
    {
        await using KestrelApp app = await KestrelApp.StartAsync(
            a => a.MapWebSocketHandler<WhoAmIHandler>("/who/{room}"),
            b => b.Services.AddSingleton(new Greeting("hello")));
        using ClientWebSocket client = await app.ConnectAsync("/who/lobby?name=ada");

        await client.SendTextAsync("who");

        Assert.Equal("hello ada in lobby over HTTP/1.1 from 127.0.0.1", await client.ReceiveTextAsync());
        await client.CloseAsync(WebSocketCloseStatus.NormalClosure, null, Timeouts.Token());
    }

    [Theory]
    [InlineData(null, HttpStatusCode.UpgradeRequired, "this resource speaks WebSocket")]
    [InlineData("12", HttpStatusCode.UpgradeRequired, "unsupported WebSocket version")]
    public async Task AnInvalidUpgradeIsRefusedByWsServerWithItsStatusAndReason(string? version, HttpStatusCode status, string reason)
    {
        await using KestrelApp app = await KestrelApp.StartAsync(a => a.MapWebSocketHandler("/echo", (message, _) => HandleResult.Reply(message)));
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, $"http://127.0.0.1:{app.Port}/echo");
        if (version is not null)
        {
            request.Headers.Add("Upgrade", "websocket");
            request.Headers.Add("Connection", "Upgrade");
            request.Headers.Add("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ==");
            request.Headers.Add("Sec-WebSocket-Version", version);
        }

        using HttpResponseMessage response = await http.SendAsync(request, Timeouts.Token());

        Assert.Equal(status, response.StatusCode);
        Assert.Contains(reason, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        if (version is not null) Assert.Equal("13", response.Headers.GetValues("Sec-WebSocket-Version").Single());
    }

    [Fact]
    public async Task AnOriginOutsideTheRoutesListIsRefusedWith403()
    {
        await using KestrelApp app = await KestrelApp.StartAsync(a => a.MapWebSocketHandler("/echo", (message, _) => HandleResult.Reply(message),
            new Routing.WebSocketRouteOptions { AllowedOrigins = ["https://good.example"] }));
        using var client = new ClientWebSocket();
        client.Options.CollectHttpResponseDetails = true;
        client.Options.SetRequestHeader("Origin", "https://evil.example");

        await Assert.ThrowsAsync<WebSocketException>(() => client.ConnectAsync(app.Uri("/echo"), Timeouts.Token()));

        Assert.Equal(HttpStatusCode.Forbidden, client.HttpStatusCode);
    }

    [Fact]
    public async Task StoppingTheApplicationClosesEachConnectionWith1001()
    {
        KestrelApp app = await KestrelApp.StartAsync(a => a.MapWebSocketHandler("/echo", (message, _) => HandleResult.Reply(message)));
        using ClientWebSocket client = await app.ConnectAsync("/echo");
        Task<WebSocketReceiveResult> closing = client.ReceiveAsync(new byte[16], Timeouts.Token());

        Task stopped = app.DisposeAsync().AsTask();
        WebSocketReceiveResult received = await closing;
        Assert.Equal(WebSocketMessageType.Close, received.MessageType);
        Assert.Equal(WebSocketCloseStatus.EndpointUnavailable, client.CloseStatus);
        await client.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, Timeouts.Token());
        await stopped.Bounded();
    }

    public sealed record Greeting(string Word);

    /// <summary>Takes a service by constructor, and reads the request's route values and connection.</summary>
    public sealed class WhoAmIHandler(Greeting greeting) : IWebSocketHandler
    {
        public ValueTask<HandleResult> HandleAsync(WebSocketMessage message, WebSocketConnection connection, CancellationToken cancellationToken)
        {
            HttpContext http = connection.GetHttpContext()!;
            string text = $"{greeting.Word} {connection.Info.QueryValue("name")} in {http.GetRouteValue("room")} "
                + $"over HTTP/{connection.Info.HttpVersion.ToString(2)} from {http.Connection.RemoteIpAddress}";
            return new(HandleResult.Reply(text));
        }
    }
}
