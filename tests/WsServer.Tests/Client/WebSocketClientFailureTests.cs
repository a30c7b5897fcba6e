using System.Net.Sockets;
using System.Security.Authentication;
using System.Text;
using WsServer.Client;
using WsServer.Connections;
using WsServer.Protocol.Closing;
using WsServer.Protocol.Compression;
using WsServer.Protocol.Session;
using WsServer.Routing;
using WsServer.Tests.TestHandlers;
using WsServer.Tests.TestSupport;
using WsServer.Transport;

namespace WsServer.Tests.Client;

/// <summary>How the C# client fails: a refusal with its status, a URL that is not ws:// or wss://, nothing
/// listening, no answer, a message over the limit, a connection cut without a close.</summary>
public sealed class WebSocketClientFailureTests
{
    private static Task<WebSocketClient> ConnectAsync(Uri uri, WebSocketClientOptions? options = null) =>
        WebSocketClientTests.ConnectAsync(uri, options);

    [Fact]
    public async Task AMessageOverTheLimitFailsTheConnectionWith1009()
    {
        await using TestServer server = await TestServer.StartAsync(o => o.Routes
            .Map("/", (message, connection) => HandleResult.Reply(new byte[2000])));
        await using WebSocketClient client = await ConnectAsync(server.Uri(), new WebSocketClientOptions { MaxMessageSize = 1999 });

        await client.SendAsync("give me 2000 bytes", Timeouts.Token());
        WebSocketMessage close = await client.ReceiveAsync(Timeouts.Token());

        Assert.Equal(MessageType.Close, close.Type);
        Assert.Equal(CloseCode.MessageTooBig, close.CloseCode);
        Assert.Equal(SessionState.Closed, client.State);
    }

    [Fact]
    public async Task AConnectionThatEndsWithoutACloseEndsWith1006()
    {
        using var listener = new TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        int port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        Task<WebSocketClient> connecting = ConnectAsync(new Uri($"ws://127.0.0.1:{port}/"));
        using (TcpClient peer = await listener.AcceptTcpClientAsync(Timeouts.Token()))
        {
            NetworkStream stream = peer.GetStream();
            var head = new StringBuilder();
            var buffer = new byte[4096];
            while (!head.ToString().Contains("\r\n\r\n", StringComparison.Ordinal))
                head.Append(Encoding.ASCII.GetString(buffer, 0, await stream.ReadAsync(buffer, Timeouts.Token())));
            string key = System.Text.RegularExpressions.Regex.Match(head.ToString(), "Sec-WebSocket-Key: (\\S+)").Groups[1].Value;
            string accept = WsServer.Protocol.Handshake.AcceptKey.Compute(key);
            await stream.WriteAsync(Encoding.Latin1.GetBytes(
                $"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: {accept}\r\n\r\n" +
                "\u0081\u0002hi"), Timeouts.Token());
            await using WebSocketClient client = await connecting.Bounded();
            Assert.Equal("hi", (await client.ReceiveAsync(Timeouts.Token())).GetText());
            peer.Close();

            WebSocketMessage close = await client.ReceiveAsync(Timeouts.Token());

            Assert.Equal(MessageType.Close, close.Type);
            Assert.Equal(CloseCode.AbnormalClosure, close.CloseCode);
        }
    }

    [Fact]
    public async Task ARefusedHandshakeThrowsWithTheHttpStatus()
    {
        await using TestServer server = await TestServer.StartAsync(o => o.Routes.Map("/echo", new EchoHandler()));

        var refused = await Assert.ThrowsAsync<WebSocketHandshakeException>(() => ConnectAsync(server.Uri("/missing")));

        Assert.Equal(404, refused.StatusCode);
        Assert.Contains("404", refused.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("http://127.0.0.1/")]
    [InlineData("ftp://127.0.0.1/")]
    public async Task AUrlThatIsNotWsOrWssIsRefused(string url)
    {
        var error = await Assert.ThrowsAsync<ArgumentException>(() => ConnectAsync(new Uri(url)));
        Assert.Contains("ws://", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AClosedPortFailsWithConnectionRefused()
    {
        int port;
        using (var listener = new TcpListener(System.Net.IPAddress.Loopback, 0))
        {
            listener.Start();
            port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        }

        var error = await Assert.ThrowsAsync<SocketException>(() => ConnectAsync(new Uri($"ws://127.0.0.1:{port}/")));
        Assert.Equal(SocketError.ConnectionRefused, error.SocketErrorCode);
    }

    [Fact]
    public async Task AServerThatNeverAnswersFailsAfterTheHandshakeTimeout()
    {
        using var listener = new TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        int port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;

        await Assert.ThrowsAsync<TimeoutException>(() => ConnectAsync(new Uri($"ws://127.0.0.1:{port}/"),
            new WebSocketClientOptions { HandshakeTimeout = TimeSpan.FromMilliseconds(200) }));
    }

    [Fact]
    public async Task ARefusalCarriesItsStatusAndBody()
    {
        await using TestServer server = await TestServer.StartAsync(o => o.Routes
            .Map("/", new EchoHandler(), new WebSocketRouteOptions { AllowedOrigins = ["https://good.example"] }));

        var refused = await Assert.ThrowsAsync<WebSocketHandshakeException>(() => ConnectAsync(server.Uri(),
            new WebSocketClientOptions { Origin = "https://evil.example" }));

        Assert.Equal(403, refused.StatusCode);
        Assert.Equal("origin not allowed: https://evil.example", refused.ResponseBody?.TrimEnd());
    }
}
