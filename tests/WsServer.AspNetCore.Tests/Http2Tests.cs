using System.Net;
using System.Net.Security;
using System.Net.WebSockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using WsServer.AspNetCore.Tests.TestSupport;
using WsServer.Connections;
using WsServer.Tests.TestSupport;

namespace WsServer.AspNetCore.Tests;

/// <summary>WebSockets over HTTP/2 (RFC 8441): Kestrel's extended CONNECT, answered by WsServer with a 200 and no
/// Sec-WebSocket-Accept (§5), reached by .NET's ClientWebSocket asking for HTTP/2 exactly; over TLS with ALPN
/// and over h2c with prior knowledge.</summary>
public sealed class Http2Tests
{
    [Fact]
    public async Task OverTlsSeveralWebSocketsShareOneHttp2Connection()
    {
        using var certificate = TestCertificate.Create();
        await using KestrelApp app = await KestrelApp.StartAsync(MapWhere, protocols: HttpProtocols.Http1AndHttp2, certificate: certificate);
        using var handler = new SocketsHttpHandler
        {
            SslOptions = new SslClientAuthenticationOptions { RemoteCertificateValidationCallback = (_, c, _, _) => certificate.Matches(c) },
        };
        using var invoker = new HttpMessageInvoker(handler);

        List<string> answers = [];
        List<ClientWebSocket> clients = [];
        for (int i = 0; i < 3; i++)
        {
            ClientWebSocket client = Http2Client();
            await client.ConnectAsync(app.Uri("/where"), invoker, Timeouts.Token());
            Assert.Equal(HttpStatusCode.OK, client.HttpStatusCode); // RFC 8441 §5: a 2xx, not 101
            Assert.False(client.HttpResponseHeaders!.ContainsKey("Sec-WebSocket-Accept"));
            await client.SendTextAsync("where?");
            answers.Add(await client.ReceiveTextAsync());
            clients.Add(client);
        }

        Assert.All(answers, a => Assert.StartsWith("HTTP/2 2.0 tls ", a, StringComparison.Ordinal));
        Assert.Single(answers.Distinct()); // one TCP connection (Kestrel's connection id) carries all three
        foreach (ClientWebSocket client in clients)
        {
            await client.CloseAsync(WebSocketCloseStatus.NormalClosure, null, Timeouts.Token());
            Assert.Equal(WebSocketCloseStatus.NormalClosure, client.CloseStatus);
            client.Dispose();
        }
        Assert.True(await Timeouts.Eventually(() => app.Server.ConnectionCount == 0));
    }

    [Fact]
    public async Task OverH2cWithPriorKnowledgeMessagesAndTheClosingHandshakeWork()
    {
        await using KestrelApp app = await KestrelApp.StartAsync(a => a.MapWebSocketHandler("/echo", (message, _) => HandleResult.Reply(message)),
            protocols: HttpProtocols.Http2);
        using var invoker = new HttpMessageInvoker(new SocketsHttpHandler());
        using ClientWebSocket client = Http2Client();
        client.Options.DangerousDeflateOptions = new WebSocketDeflateOptions();

        await client.ConnectAsync(app.Uri("/echo"), invoker, Timeouts.Token());
        string text = string.Concat(Enumerable.Repeat("over h2c ", 1000));
        await client.SendTextAsync(text);

        Assert.Equal(text, await client.ReceiveTextAsync());
        Assert.StartsWith("permessage-deflate", client.HttpResponseHeaders!["Sec-WebSocket-Extensions"].Single(), StringComparison.Ordinal);
        await client.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", Timeouts.Token());
        Assert.Equal(WebSocketCloseStatus.NormalClosure, client.CloseStatus);
    }

    [Fact]
    public async Task AServerCloseEndsTheHttp2StreamAfterTheClosingHandshake()
    {
        await using KestrelApp app = await KestrelApp.StartAsync(a => a.MapWebSocketHandler("/bye",
            (_, _) => HandleResult.Close(Protocol.Closing.CloseCode.NormalClosure, "bye")), protocols: HttpProtocols.Http2);
        using var invoker = new HttpMessageInvoker(new SocketsHttpHandler());
        using ClientWebSocket client = Http2Client();
        await client.ConnectAsync(app.Uri("/bye"), invoker, Timeouts.Token());

        await client.SendTextAsync("close please");
        WebSocketReceiveResult received = await client.ReceiveAsync(new byte[64], Timeouts.Token());

        Assert.Equal(WebSocketMessageType.Close, received.MessageType);
        Assert.Equal("bye", client.CloseStatusDescription);
        await client.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, Timeouts.Token());
        Assert.True(await Timeouts.Eventually(() => app.Server.ConnectionCount == 0));
    }

    private static ClientWebSocket Http2Client()
    {
        var client = new ClientWebSocket();
        client.Options.HttpVersion = HttpVersion.Version20;
        client.Options.HttpVersionPolicy = HttpVersionPolicy.RequestVersionExact;
        client.Options.CollectHttpResponseDetails = true;
        return client;
    }

    /// <summary>Answers each message with the request's protocol, the connection's HTTP version, TLS, and
    /// Kestrel's id of the TCP connection the WebSocket came over.</summary>
    private static void MapWhere(WebApplication app) =>
        app.MapWebSocketHandler("/where", (_, connection) =>
        {
            HttpContext http = connection.GetHttpContext()!;
            return HandleResult.Reply($"{http.Request.Protocol} {connection.Info.HttpVersion} {(connection.Info.IsTls ? "tls" : "plain")} {http.Connection.Id}");
        });
}
