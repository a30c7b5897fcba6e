using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Time.Testing;
using WsServer.Tests.TestHandlers;
using WsServer.Tests.TestSupport;

namespace WsServer.Tests;

/// <summary>Every timeout runs on the injected clock: a fake one is advanced, nothing sleeps, and no
/// assertion is about how long anything took.</summary>
public sealed class TimeoutTests
{
    private readonly FakeTimeProvider _time = new();

    [Fact]
    public async Task SilentPeerIsPingedAfterTheKeepAliveInterval()
    {
        await using TestServer server = await StartAsync(o =>
        {
            o.KeepAliveInterval = TimeSpan.FromSeconds(30);
            o.PongTimeout = TimeSpan.FromDays(1); // the ping is read before anything else can end the connection
        });
        await using RawClient client = await RawClient.ConnectAsync(server.Port);

        Task<ReceivedFrame?> frame = client.ReadFrameAsync();
        await AssertDeadlineAsync(frame, TimeSpan.FromSeconds(30));

        Assert.Equal(9, (await frame)!.Value.Opcode);
    }

    [Fact]
    public async Task PeerSilentForTheIdleTimeoutIsClosedWith1000()
    {
        await using TestServer server = await StartAsync(o =>
        {
            o.IdleTimeout = TimeSpan.FromSeconds(60);
            // Our close waits for the peer's answer this long: stepping the clock past it would cut the
            // connection before the client had read the close frame (seen as a reset, now and then).
            o.CloseTimeout = TimeSpan.FromDays(1);
        });
        await using RawClient client = await RawClient.ConnectAsync(server.Port);

        Task<ReceivedFrame> close = client.ReadCloseAsync();
        await AssertDeadlineAsync(close, TimeSpan.FromSeconds(60));

        Assert.Equal((ushort)1000, (await close).CloseCode);
        Assert.Equal("idle timeout", (await close).Text);
    }

    [Fact]
    public async Task IncompleteUpgradeRequestIsDroppedAfterTheHandshakeTimeout()
    {
        await using TestServer server = await StartAsync(o => o.HandshakeTimeout = TimeSpan.FromSeconds(10));
        using var tcp = new TcpClient();
        await tcp.ConnectAsync("127.0.0.1", server.Port);
        await tcp.GetStream().WriteAsync(Encoding.ASCII.GetBytes("GET / HTTP/1.1\r\nHost: x\r\n"));

        Task<int> eof = tcp.GetStream().ReadAsync(new byte[64]).AsTask();
        await AssertDeadlineAsync(eof, TimeSpan.FromSeconds(10));

        Assert.Equal(0, await eof);
    }

    [Fact]
    public async Task PeerThatNeverAnswersOurCloseIsCutAfterTheCloseTimeout()
    {
        await using TestServer server = await StartAsync(o => o.CloseTimeout = TimeSpan.FromSeconds(5), new CommandHandler());
        await using RawClient client = await RawClient.ConnectAsync(server.Port);
        await client.SendAsync(ClientFrame.Text("closestatus"));
        Assert.Equal((ushort)4001, (await client.ReadCloseAsync()).CloseCode);

        Task<bool> cut = client.ServerClosedTcpAsync();
        await AssertDeadlineAsync(cut, TimeSpan.FromSeconds(5));

        Assert.True(await cut);
    }

    private Task<TestServer> StartAsync(Action<WsServer.Hosting.ServerOptions> configure, WsServer.Handlers.IWebSocketHandler<int>? handler = null) =>
        TestServer.StartAsync(handler ?? new EchoHandler(), o =>
        {
            o.TimeProvider = _time;
            o.KeepAliveInterval = Timeout.InfiniteTimeSpan;
            o.IdleTimeout = Timeout.InfiniteTimeSpan;
            configure(o);
        });

    /// <summary>Both sides of a deadline on the fake clock: a second before <paramref name="deadline"/>,
    /// <paramref name="done"/> has not happened; after it, it does. Past the deadline the clock moves in
    /// steps of a second until it does, since the server's timers may be armed a moment after the client's
    /// last step (one jump could come too early).</summary>
    private async Task AssertDeadlineAsync(Task done, TimeSpan deadline)
    {
        _time.Advance(deadline - TimeSpan.FromSeconds(1));
        await Task.WhenAny(done, Task.Delay(200));
        Assert.False(done.IsCompleted, $"it happened before its deadline of {deadline}");
        for (int i = 0; i < 400 && !done.IsCompleted; i++)
        {
            _time.Advance(TimeSpan.FromSeconds(1));
            await Task.WhenAny(done, Task.Delay(25));
        }
        await done.Bounded();
    }
}
