using System.Net.Sockets;
using System.Text;
using WsServer.Connections;
using WsServer.Tests.TestHandlers;
using WsServer.Tests.TestSupport;

namespace WsServer.Tests;

/// <summary>Every timeout runs on the injected clock: a fake one is advanced, nothing sleeps, and no
/// assertion is about how long anything took. Each deadline is seen from both sides: a step short of it
/// does nothing (proved by a signal ordered after what the step would have done), the step onto it does
/// the thing.</summary>
public sealed class TimeoutTests
{
    private readonly FakeClock _time = new();

    [Fact]
    public async Task SilentPeerIsPingedAfterTheKeepAliveInterval()
    {
        var handler = new RecordingHandler();
        await using TestServer server = await StartAsync(handler, o =>
        {
            o.KeepAliveInterval = TimeSpan.FromSeconds(30);
            o.PongTimeout = TimeSpan.FromDays(1); // the ping is read before anything else can end the connection
        });
        await using RawClient client = await RawClient.ConnectAsync(server.Port);
        WebSocketConnection connection = await handler.FirstOpened.Task.Bounded();

        _time.Advance(TimeSpan.FromSeconds(29));
        await NothingDue.AssertAsync(client, connection);
        _time.Advance(TimeSpan.FromSeconds(1));

        Assert.Equal(9, (await client.ReadFrameAsync().Bounded())!.Value.Opcode);
    }

    [Fact]
    public async Task PeerSilentForTheIdleTimeoutIsClosedWith1000()
    {
        var handler = new RecordingHandler();
        await using TestServer server = await StartAsync(handler, o =>
        {
            o.IdleTimeout = TimeSpan.FromSeconds(60);
            // Our close waits for the peer's answer this long: stepping the clock past it would cut the
            // connection before the client had read the close frame (seen as a reset, now and then).
            o.CloseTimeout = TimeSpan.FromDays(1);
        });
        await using RawClient client = await RawClient.ConnectAsync(server.Port);
        WebSocketConnection connection = await handler.FirstOpened.Task.Bounded();

        _time.Advance(TimeSpan.FromSeconds(59));
        await NothingDue.AssertAsync(client, connection);
        _time.Advance(TimeSpan.FromSeconds(1));

        ReceivedFrame close = await client.ReadCloseAsync().Bounded();
        Assert.Equal((ushort)1000, close.CloseCode);
        Assert.Equal("idle timeout", close.Text);
    }

    [Fact]
    public async Task IncompleteUpgradeRequestIsDroppedAfterTheHandshakeTimeout()
    {
        await using TestServer server = await StartAsync(new EchoHandler(), o => o.HandshakeTimeout = TimeSpan.FromSeconds(10));
        using TcpClient finished = await StartRequestAsync(server.Port);
        using TcpClient unfinished = await StartRequestAsync(server.Port);
        Assert.True(await _time.ArmedAsync(TimeSpan.FromSeconds(10), count: 2), "the handshake timeouts are never armed");

        // A request finished a step short of the timeout is answered: had its timeout passed in the step, the
        // server would have given up on the read before the rest was sent.
        _time.Advance(TimeSpan.FromSeconds(10) - TimeSpan.FromMilliseconds(1));
        await finished.GetStream().WriteAsync(Encoding.ASCII.GetBytes(
            "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"));
        Assert.StartsWith("HTTP/1.1 101", await ReadTextAsync(finished).Bounded(), StringComparison.Ordinal);

        _time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal("", await ReadTextAsync(unfinished).Bounded());
    }

    [Fact]
    public async Task PeerThatNeverAnswersOurCloseIsCutAfterTheCloseTimeout()
    {
        await using TestServer server = await StartAsync(new CommandHandler(), o => o.CloseTimeout = TimeSpan.FromSeconds(5));
        await using RawClient client = await RawClient.ConnectAsync(server.Port);
        await client.SendAsync(ClientFrame.Text("closestatus"));
        Assert.Equal((ushort)4001, (await client.ReadCloseAsync()).CloseCode);
        // The close frame can be read before the deadline is armed; both sides of it are CloseDeadlineTests'.
        Assert.True(await _time.ArmedAsync(TimeSpan.FromSeconds(5)), "the close deadline is never armed");

        _time.Advance(TimeSpan.FromSeconds(5));

        Assert.True(await client.ServerClosedTcpAsync().Bounded());
    }

    private Task<TestServer> StartAsync<TState>(WsServer.Connections.IWebSocketHandler<TState> handler, Action<WsServer.Hosting.ServerOptions> configure) =>
        TestServer.StartAsync(handler, o =>
        {
            o.TimeProvider = _time;
            o.KeepAliveInterval = Timeout.InfiniteTimeSpan;
            o.IdleTimeout = Timeout.InfiniteTimeSpan;
            configure(o);
        });

    /// <summary>A TCP connection that has sent the first lines of an upgrade request, and not the rest.</summary>
    private static async Task<TcpClient> StartRequestAsync(int port)
    {
        var tcp = new TcpClient();
        await tcp.ConnectAsync("127.0.0.1", port);
        await tcp.GetStream().WriteAsync(Encoding.ASCII.GetBytes("GET / HTTP/1.1\r\nHost: x\r\n"));
        return tcp;
    }

    /// <summary>What the server sent first; empty when it closed the connection instead: with its FIN, or with a
    /// reset when it had not yet read all the client sent (its loop busy with other connections' work).</summary>
    private static async Task<string> ReadTextAsync(TcpClient tcp)
    {
        byte[] buffer = new byte[256];
        try
        {
            int n = await tcp.GetStream().ReadAsync(buffer);
            return Encoding.ASCII.GetString(buffer, 0, n);
        }
        catch (IOException ex) when (ex.InnerException is SocketException { SocketErrorCode: SocketError.ConnectionReset })
        {
            return "";
        }
    }
}
