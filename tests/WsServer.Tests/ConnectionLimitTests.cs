using System.Net.Sockets;
using System.Net.WebSockets;
using WsServer.Hosting;
using WsServer.Tests.ProxyProtocol;
using WsServer.Tests.TestHandlers;
using WsServer.Tests.TestSupport;

namespace WsServer.Tests;

/// <summary><see cref="ServerOptions.MaxConnections"/> and <see cref="ServerOptions.MaxConnectionsPerIp"/>:
/// over either, the upgrade is refused with 503 and <c>Retry-After</c> before any 101, and a connection
/// is served again once one of those counted has closed.</summary>
public sealed class ConnectionLimitTests
{
    private static string Refusal(string reason) =>
        "HTTP/1.1 503 Service Unavailable\r\nRetry-After: 5\r\nContent-Type: text/plain; charset=utf-8\r\n" +
        $"Content-Length: {reason.Length}\r\nConnection: close\r\n\r\n{reason}";

    private static async Task<string> RefusedAsync(int port, byte[]? preamble = null)
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync("127.0.0.1", port, Timeouts.Token());
        if (preamble is not null) await tcp.GetStream().WriteAsync(preamble, Timeouts.Token());
        HttpAnswer answer = await HttpExchange.SendAsync(tcp.GetStream(), HttpExchange.UpgradeRequest(port, "/"));
        return answer.Head + "\r\n\r\n" + answer.Body;
    }

    private static byte[] ProxyFrom(string address, int port) => ProxyProtocolParserTests.V2Tcp4(address, port, "192.0.2.1", 443);

    [Fact]
    public async Task AnUpgradeOverMaxConnectionsIs503WithRetryAfterUntilOneCloses()
    {
        var handler = new RecordingHandler();
        await using TestServer server = await TestServer.StartAsync(handler, o => o.MaxConnections = 2);
        using ClientWebSocket first = await server.ConnectAsync();
        using ClientWebSocket second = await server.ConnectAsync();

        Assert.Equal(Refusal("too many connections"), await RefusedAsync(server.Port));
        Assert.Equal(2, server.Server.ConnectionCount);

        await first.CloseAsync(WebSocketCloseStatus.NormalClosure, null, Timeouts.Token());
        await handler.FirstClosed.Task.Bounded();
        using ClientWebSocket third = await server.ConnectAsync();
        await third.SendTextAsync("served");
        Assert.Equal("served", await third.ReceiveTextAsync());
        Assert.Equal(Refusal("too many connections"), await RefusedAsync(server.Port));
    }

    [Fact]
    public async Task AnUpgradeOverMaxConnectionsPerIpIs503WithRetryAfterCountedByTheProxyHeadersAddress()
    {
        var handler = new RecordingHandler();
        await using TestServer server = await TestServer.StartAsync(handler, o =>
        {
            o.ProxyProtocol = true;
            o.MaxConnectionsPerIp = 2;
        });
        // Every TCP connection comes from 127.0.0.1; the PROXY header says who the client is.
        await using RawClient first = await RawClient.ConnectAsync(server.Port, preamble: ProxyFrom("203.0.113.7", 40001));
        await using RawClient second = await RawClient.ConnectAsync(server.Port, preamble: ProxyFrom("203.0.113.7", 40002));

        Assert.Equal(Refusal("too many connections from this address"), await RefusedAsync(server.Port, ProxyFrom("203.0.113.7", 40003)));
        await using RawClient other = await RawClient.ConnectAsync(server.Port, preamble: ProxyFrom("198.51.100.9", 40004));
        Assert.Equal(3, server.Server.ConnectionCount);

        await first.SendAsync(ClientFrame.Close(1000));
        Assert.Equal((ushort)1000, (await first.ReadCloseAsync()).CloseCode);
        await handler.FirstClosed.Task.Bounded();
        await using RawClient again = await RawClient.ConnectAsync(server.Port, preamble: ProxyFrom("203.0.113.7", 40005));
        await again.SendAsync(ClientFrame.Text("served"));
        Assert.Equal("served", (await again.ReadFrameAsync())!.Value.Text);
    }

    [Fact]
    public void TheLimitsAreOffByDefault()
    {
        var options = new ServerOptions();

        Assert.Equal(0, options.MaxConnections);
        Assert.Equal(0, options.MaxConnectionsPerIp);
    }

    [Theory]
    [InlineData("MaxConnections")]
    [InlineData("MaxConnectionsPerIp")]
    public void ANegativeLimitFailsWhenTheServerIsCreatedAndIsNamed(string option)
    {
        var options = new ServerOptions { Port = 0 }.UseHandler(new EchoHandler());
        if (option == "MaxConnections") options.MaxConnections = -1;
        else options.MaxConnectionsPerIp = -1;

        var error = Assert.ThrowsAny<ArgumentException>(() => new WebSocketServer(options));

        Assert.Equal(option, error.ParamName);
        Assert.Contains($"ServerOptions.{option} must be at least 0", error.Message, StringComparison.Ordinal);
        Assert.Contains("-1", error.Message, StringComparison.Ordinal);
    }
}
