using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using WsServer.Hosting;
using WsServer.Connections;
using WsServer.Routing;
using WsServer.Tests.TestHandlers;
using WsServer.Tests.TestSupport;
using WsServer.Transport.Epoll;

namespace WsServer.Tests.Upgrade;

/// <summary>The seed's to-do "info about the connection to init": every field of <see cref="ConnectionInfo"/>.</summary>
public sealed class ConnectionInfoTests
{
    private static readonly DateTimeOffset Now = new(2030, 1, 2, 3, 4, 5, TimeSpan.Zero);

    private sealed class FixedClock : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => Now;
    }

    [Fact]
    public async Task InitSeesEveryFieldOfThePlainConnection()
    {
        var handler = new RecordingHandler();
        await using TestServer server = await TestServer.StartAsync(o =>
        {
            o.TimeProvider = new FixedClock();
            o.Routes.Map("/info", handler, new WebSocketRouteOptions
            {
                Subprotocols = ["v2", "v1"],
                OnUpgrade = _ => new(UpgradeDecision.Accept(items: [new("user", "ada")])),
            });
        });
        using var client = new ClientWebSocket();
        client.Options.AddSubProtocol("v1");
        client.Options.SetRequestHeader("X-Trace", "abc");

        await client.ConnectAsync(server.Uri("/info?room=1&x=%20"), Timeouts.Token());
        ConnectionInfo info = (await handler.FirstOpened.Task.Bounded()).Info;

        Assert.Equal(IPAddress.Loopback, info.RemoteEndPoint.Address);
        Assert.NotEqual(server.Port, info.RemoteEndPoint.Port);
        Assert.Equal(new IPEndPoint(IPAddress.Loopback, server.Port), info.LocalEndPoint);
        Assert.Equal("/info", info.Path);
        Assert.Equal("room=1&x=%20", info.Query);
        Assert.Equal("abc", info.Headers["X-Trace"]);
        Assert.Equal("v1", info.Subprotocol);
        Assert.Null(info.Extensions);
        Assert.False(info.IsTls);
        Assert.Null(info.TlsProtocol);
        Assert.Null(info.TlsServerName);
        Assert.Equal("ada", info.Items["user"]);
        Assert.Equal(Now, info.AcceptedAt);
        Assert.Equal("v1", client.SubProtocol);
    }

    /// <summary>Both ends of a connection as the client and the listener see them, whichever way the listener
    /// takes connections (an epoll loop's accept4, or .NET's socket engine): a listener bound to any address
    /// names the address the client reached, and a dual-mode one gives IPv4 peers as mapped IPv6 addresses.</summary>
    [Theory]
    [InlineData("0.0.0.0", "127.0.0.1", "127.0.0.1")]
    [InlineData("::", "127.0.0.1", "::ffff:127.0.0.1")]
    [InlineData("::", "::1", "::1")]
    [InlineData("127.0.0.1", "127.0.0.1", "127.0.0.1")]
    public async Task BothEndsAreTheAddressesTheClientAndTheListenerUsed(string bound, string reached, string seenAs)
    {
        var handler = new RecordingHandler();
        var options = new ServerOptions { Address = IPAddress.Parse(bound), Port = 0 }.UseHandler(handler);
        TestServer.UseTransportUnderTest(options);
        await using var server = new WebSocketServer(options);
        await server.StartAsync();
        int port = server.LocalEndPoints[0].Port;
        using var tcp = new TcpClient(IPAddress.Parse(reached).AddressFamily);
        await tcp.ConnectAsync(IPAddress.Parse(reached), port, Timeouts.Token());
        HttpAnswer answer = await HttpExchange.SendAsync(tcp.GetStream(), HttpExchange.UpgradeRequest(port, "/"));
        Assert.Equal(101, answer.Status);

        ConnectionInfo info = (await handler.FirstOpened.Task.Bounded()).Info;
        var client = (IPEndPoint)tcp.Client.LocalEndPoint!;
        Assert.Equal(new IPEndPoint(IPAddress.Parse(seenAs), client.Port), info.RemoteEndPoint);
        Assert.Equal(new IPEndPoint(IPAddress.Parse(seenAs), port), info.LocalEndPoint);
    }

    /// <summary>A client's many connections (or a proxy's) carry one address object between them on the epoll
    /// transport, each with its own port; a peer at another address gets its own.</summary>
    [Fact]
    public async Task ConnectionsFromOneAddressShareItsObjectEachWithItsOwnPort()
    {
        var handler = new RecordingHandler();
        var options = new ServerOptions { Address = IPAddress.Any, Port = 0 }.UseHandler(handler);
        TestServer.UseTransportUnderTest(options);
        await using var server = new WebSocketServer(options);
        await server.StartAsync();
        int port = server.LocalEndPoints[0].Port;
        IPAddress other = IPAddress.Parse("127.0.0.2");
        var clients = new List<TcpClient>();
        try
        {
            foreach (IPAddress from in new[] { IPAddress.Loopback, IPAddress.Loopback, other })
            {
                var tcp = new TcpClient(new IPEndPoint(from, 0));
                clients.Add(tcp);
                await tcp.ConnectAsync(IPAddress.Loopback, port, Timeouts.Token());
                HttpAnswer answer = await HttpExchange.SendAsync(tcp.GetStream(), HttpExchange.UpgradeRequest(port, "/"));
                Assert.Equal(101, answer.Status);
            }
            Assert.True(await Timeouts.Eventually(() => handler.Opened.Count == 3));

            // Keyed by address and port: clients at two addresses can be given the same ephemeral port.
            Dictionary<IPEndPoint, IPEndPoint> seen = handler.Opened.Select(c => c.Info.RemoteEndPoint).ToDictionary(e => e);
            IPEndPoint[] remotes = [.. clients.Select(c => seen[(IPEndPoint)c.Client.LocalEndPoint!])];
            Assert.Equal([IPAddress.Loopback, IPAddress.Loopback, other], remotes.Select(r => r.Address));
            Assert.NotSame(remotes[0].Address, remotes[2].Address);
            if (options.EpollTransport && EpollInterop.IsSupported) Assert.Same(remotes[0].Address, remotes[1].Address);
        }
        finally
        {
            foreach (TcpClient tcp in clients) tcp.Dispose();
        }
    }

    [Fact]
    public async Task ConnectionIdsAreUniqueInTheProcess()
    {
        var handler = new RecordingHandler();
        await using TestServer first = await TestServer.StartAsync(handler);
        await using TestServer second = await TestServer.StartAsync(handler);

        using ClientWebSocket a = await first.ConnectAsync();
        using ClientWebSocket b = await first.ConnectAsync();
        using ClientWebSocket c = await second.ConnectAsync();
        await a.SendTextAsync("x");
        await b.SendTextAsync("x");
        await c.SendTextAsync("x");
        await a.ReceiveTextAsync();
        await b.ReceiveTextAsync();
        await c.ReceiveTextAsync();

        Assert.Equal(3, handler.Opened.Select(o => o.Id).Distinct().Count());
    }
}
