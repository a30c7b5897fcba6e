using System.Net;
using System.Net.WebSockets;
using System.Text;
using WsServer.Connections;
using WsServer.Tests.TestHandlers;
using WsServer.Tests.TestSupport;
using WsServer.Transport;

namespace WsServer.Tests.Transport;

/// <summary>The transport seam: a WebSocket served over a stream that no socket of the server's is under (as
/// another host would hand one over), by the same session, with .NET's own WebSocket at the other end.</summary>
public sealed class StreamTransportTests
{
    private static readonly IPEndPoint Nowhere = new(IPAddress.Loopback, 0);

    [Fact]
    public async Task AWebSocketRunsOverAStreamWithNoSocketUnderIt()
    {
        var handler = new RecordingHandler();
        await using TestServer server = await TestServer.StartAsync(handler);
        (DuplexPipeStream ours, DuplexPipeStream theirs) = DuplexPipeStream.CreatePair();
        var transport = new StreamTransport(ours, socket: null, tls: null, Nowhere, Nowhere, DateTimeOffset.UtcNow);

        Task served = server.Server.ServeAsync(transport);
        await theirs.WriteAsync(Encoding.ASCII.GetBytes(
            "GET / HTTP/1.1\r\nHost: example\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"));
        string head = await ReadHeadAsync(theirs);
        Assert.StartsWith("HTTP/1.1 101", head, StringComparison.Ordinal);
        Assert.Contains("Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=", head, StringComparison.Ordinal);

        using WebSocket client = WebSocket.CreateFromStream(theirs, new WebSocketCreationOptions());
        await client.SendAsync("over a pipe"u8.ToArray(), WebSocketMessageType.Text, true, Timeouts.Token());
        var buffer = new byte[64];
        WebSocketReceiveResult echo = await client.ReceiveAsync(buffer, Timeouts.Token());
        Assert.Equal("over a pipe", Encoding.UTF8.GetString(buffer, 0, echo.Count));
        Assert.Equal(1, server.Server.ConnectionCount);

        await client.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", Timeouts.Token());
        await theirs.DisposeAsync(); // the end of what the peer sends: the FIN the server waits for
        await served.Bounded();

        Assert.Equal(0, server.Server.ConnectionCount);
        ConnectionClosed closed = handler.Closed.Single().Closed;
        Assert.Equal(("done", 1000), (closed.Reason, (int?)closed.Code));
    }

    private static async Task<string> ReadHeadAsync(Stream stream)
    {
        var head = new StringBuilder();
        var one = new byte[1];
        while (!head.ToString().EndsWith("\r\n\r\n", StringComparison.Ordinal))
        {
            Assert.Equal(1, await stream.ReadAsync(one, Timeouts.Token()));
            head.Append((char)one[0]);
        }
        return head.ToString();
    }
}
