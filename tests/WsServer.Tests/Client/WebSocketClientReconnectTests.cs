using System.Net;
using System.Net.Sockets;
using WsServer.Client;
using WsServer.Connections;
using WsServer.Tests.TestHandlers;
using WsServer.Tests.TestSupport;

namespace WsServer.Tests.Client;

/// <summary><see cref="WebSocketClient.ConnectForeverAsync"/> against the project's server: a fresh client after each
/// ends, backoff with jitter while the server is down (the waits read off a fake clock), no retry of a refusal
/// that will not change, and cancellation.</summary>
public sealed class WebSocketClientReconnectTests
{
    private static readonly WebSocketReconnectOptions Reconnect = new()
    {
        InitialDelay = TimeSpan.FromSeconds(1), MaxDelay = TimeSpan.FromSeconds(5), Multiplier = 2,
        ResetAfter = TimeSpan.FromSeconds(30),
    };

    private readonly DelayRecordingClock _time = new();

    // Keep-alive off: the only timers on the clock are the backoff's waits.
    private WebSocketClientOptions Options => new() { TimeProvider = _time, KeepAliveInterval = TimeSpan.Zero };

    [Fact]
    public async Task WhenTheServerClosesAConnectionThatLastedAFreshOneIsYieldedAtOnce()
    {
        await using TestServer server = await TestServer.StartAsync(new CommandHandler());
        await using IAsyncEnumerator<WebSocketClient> clients = WebSocketClient.ConnectForeverAsync(server.Uri(), Options, Reconnect,
            Timeouts.Token()).GetAsyncEnumerator();

        Assert.True(await clients.MoveNextAsync());
        WebSocketClient first = clients.Current;
        await first.SendAsync("closestatus", Timeouts.Token());
        Assert.Equal(CloseInitiator.Peer, (await first.ReceiveAsync(Timeouts.Token())).Initiator);
        _time.Advance(Reconnect.ResetAfter);
        Assert.True(await clients.MoveNextAsync());
        WebSocketClient second = clients.Current;
        await second.SendAsync("count", Timeouts.Token());

        Assert.NotSame(first, second);
        Assert.Equal("1", (await second.ReceiveAsync(Timeouts.Token())).GetText());
        Assert.False(_time.HasUnreadDelay);
    }

    [Fact]
    public async Task AConnectionThatEndedSoonWaitsTheBackoffBeforeTheNext()
    {
        await using TestServer server = await TestServer.StartAsync(new CommandHandler());
        await using IAsyncEnumerator<WebSocketClient> clients = WebSocketClient.ConnectForeverAsync(server.Uri(), Options,
            Reconnect with { Jitter = false }, Timeouts.Token()).GetAsyncEnumerator();
        Assert.True(await clients.MoveNextAsync());
        await clients.Current.SendAsync("closestatus", Timeouts.Token());
        await clients.Current.ReceiveAsync(Timeouts.Token());

        Task<bool> next = clients.MoveNextAsync().AsTask();
        Assert.Equal(Reconnect.InitialDelay, await _time.NextDelayAsync());
        _time.Advance(Reconnect.InitialDelay - TimeSpan.FromMilliseconds(1));
        Assert.False(next.IsCompleted);
        _time.Advance(TimeSpan.FromMilliseconds(1));

        Assert.True(await next.Bounded());
    }

    [Fact]
    public async Task WhileTheServerIsDownAttemptsWaitLongerEachTimeWithinTheirJitterBoundsUntilItIsUp()
    {
        int port = TakenPort.Free();
        var uri = new Uri($"ws://127.0.0.1:{port}/");
        await using IAsyncEnumerator<WebSocketClient> clients = WebSocketClient.ConnectForeverAsync(uri, Options, Reconnect,
            Timeouts.Token()).GetAsyncEnumerator();
        Task<bool> connected = clients.MoveNextAsync().AsTask();

        double[] ceilings = [1, 2, 4, 5, 5];
        foreach (double ceiling in ceilings)
        {
            TimeSpan wait = await _time.NextDelayAsync();
            Assert.InRange(wait.TotalSeconds, 0, ceiling);
            _time.Advance(wait);
        }
        await using TestServer server = await TestServer.StartAsync(new EchoHandler(), o => o.Port = port);
        _time.Advance(await _time.NextDelayAsync());

        Assert.True(await connected.Bounded());
        await clients.Current.SendAsync("up", Timeouts.Token());
        Assert.Equal("up", (await clients.Current.ReceiveAsync(Timeouts.Token())).GetText());
    }

    [Fact]
    public async Task ARefusalThatWillNotChangeEndsTheEnumerationWithoutWaiting()
    {
        await using TestServer server = await TestServer.StartAsync(o => o.Routes.Map("/echo", new EchoHandler()));

        var refused = await Assert.ThrowsAsync<WebSocketHandshakeException>(async () =>
        {
            await foreach (WebSocketClient _ in WebSocketClient.ConnectForeverAsync(server.Uri("/missing"), Options, Reconnect, Timeouts.Token()))
                Assert.Fail("a refused upgrade yielded a client");
        });

        Assert.Equal(404, refused.StatusCode);
        Assert.False(_time.HasUnreadDelay);
    }

    [Fact]
    public async Task CancellingDuringAWaitEndsTheEnumeration()
    {
        using var stop = new CancellationTokenSource();
        var uri = new Uri($"ws://127.0.0.1:{TakenPort.Free()}/");
        await using IAsyncEnumerator<WebSocketClient> clients = WebSocketClient.ConnectForeverAsync(uri, Options, Reconnect,
            stop.Token).GetAsyncEnumerator();
        Task<bool> connected = clients.MoveNextAsync().AsTask();

        await _time.NextDelayAsync();
        stop.Cancel();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => connected.Bounded());
    }
}
