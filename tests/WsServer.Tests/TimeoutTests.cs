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
        await using TestServer server = await StartAsync(o => o.KeepAliveInterval = TimeSpan.FromSeconds(30));
        await using RawClient client = await RawClient.ConnectAsync(server.Port);

        Task<ReceivedFrame?> frame = client.ReadFrameAsync();
        await AdvanceUntilAsync(frame, TimeSpan.FromSeconds(31));

        Assert.Equal(9, (await frame)!.Value.Opcode);
    }

    [Fact]
    public async Task PeerSilentForTheIdleTimeoutIsClosedWith1000()
    {
        await using TestServer server = await StartAsync(o => o.IdleTimeout = TimeSpan.FromSeconds(60));
        await using RawClient client = await RawClient.ConnectAsync(server.Port);

        Task<ReceivedFrame> close = client.ReadCloseAsync();
        await AdvanceUntilAsync(close, TimeSpan.FromSeconds(61));

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
        await AdvanceUntilAsync(eof, TimeSpan.FromSeconds(11));

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
        await AdvanceUntilAsync(cut, TimeSpan.FromSeconds(6));

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

    /// <summary>Advances the fake clock in steps until <paramref name="done"/> completes: the server's
    /// timers may be armed a moment after the client's last step, so one jump could come too early.</summary>
    private async Task AdvanceUntilAsync(Task done, TimeSpan step)
    {
        for (int i = 0; i < 400 && !done.IsCompleted; i++)
        {
            _time.Advance(step);
            await Task.WhenAny(done, Task.Delay(25));
        }
        await done.Bounded();
    }
}
