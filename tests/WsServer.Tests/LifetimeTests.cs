using WsServer.Connections;
using WsServer.Protocol.Closing;
using WsServer.Routing;
using WsServer.Tests.TestHandlers;
using WsServer.Tests.TestSupport;

namespace WsServer.Tests;

/// <summary>A connection's lifetime and its credentials' expiry, on a fake clock, each deadline seen from both
/// sides: the route's MaxLifetime (less up to a tenth, at random) closes with its code; an expiry the upgrade
/// callback set closes with 1008 unless the handler pushed it back.</summary>
public sealed class LifetimeTests
{
    private readonly FakeClock _time = new();

    [Fact]
    public async Task AConnectionOlderThanItsRoutesMaxLifetimeIsClosedWithTheRoutesCode()
    {
        var handler = new RecordingHandler();
        await using TestServer server = await StartAsync(handler,
            new WebSocketRouteOptions { MaxLifetime = TimeSpan.FromSeconds(100), LifetimeCloseCode = CloseCode.ServiceRestart });
        await using RawClient client = await RawClient.ConnectAsync(server.Port);
        WebSocketConnection connection = await handler.FirstOpened.Task.Bounded();

        _time.Advance(TimeSpan.FromSeconds(89)); // the jitter takes at most a tenth off: not before 90 s
        await NothingDue.AssertAsync(client, connection);
        _time.Advance(TimeSpan.FromSeconds(11)); // by 100 s, whatever the jitter

        ReceivedFrame close = await client.ReadCloseAsync().Bounded();
        Assert.Equal((ushort)1012, close.CloseCode);
        Assert.Equal("connection lifetime reached", close.Text);
    }

    [Fact]
    public async Task CredentialsThatExpireCloseTheConnectionWith1008AtTheirExpiry()
    {
        var handler = new RecordingHandler();
        await using TestServer server = await StartAsync(handler, new WebSocketRouteOptions
        {
            OnUpgrade = _ => new(UpgradeDecision.Accepted.ExpiringAt(_time.GetUtcNow().AddSeconds(60))),
        });
        await using RawClient client = await RawClient.ConnectAsync(server.Port);
        WebSocketConnection connection = await handler.FirstOpened.Task.Bounded();
        Assert.Equal(_time.GetUtcNow().AddSeconds(60), connection.ExpiresAt);

        _time.Advance(TimeSpan.FromSeconds(59));
        await NothingDue.AssertAsync(client, connection);
        _time.Advance(TimeSpan.FromSeconds(1));

        ReceivedFrame close = await client.ReadCloseAsync().Bounded();
        Assert.Equal((ushort)1008, close.CloseCode);
        Assert.Equal("credentials expired", close.Text);
    }

    [Fact]
    public async Task AnExpiryPushedBackAfterARefreshHoldsUntilTheNewTime()
    {
        var handler = new RecordingHandler();
        await using TestServer server = await StartAsync(handler, new WebSocketRouteOptions
        {
            OnUpgrade = _ => new(UpgradeDecision.Accepted.ExpiringAt(_time.GetUtcNow().AddSeconds(60))),
        });
        await using RawClient client = await RawClient.ConnectAsync(server.Port);
        WebSocketConnection connection = await handler.FirstOpened.Task.Bounded();

        connection.ExtendExpiry(_time.GetUtcNow().AddSeconds(120)); // a fresh token, proved in band
        _time.Advance(TimeSpan.FromSeconds(119));
        await NothingDue.AssertAsync(client, connection);
        _time.Advance(TimeSpan.FromSeconds(1));

        Assert.Equal((ushort)1008, (await client.ReadCloseAsync().Bounded()).CloseCode);
    }

    [Fact]
    public void AMaxLifetimeThatIsNotPositiveOrACodeThatCannotBeSentIsRefusedWhenMapped()
    {
        Assert.Equal("MaxLifetime", Assert.Throws<ArgumentOutOfRangeException>(() =>
            new RouteTable().Map("/", new EchoHandler(), new WebSocketRouteOptions { MaxLifetime = TimeSpan.Zero })).ParamName);
        Assert.Equal("LifetimeCloseCode", Assert.Throws<ArgumentException>(() =>
            new RouteTable().Map("/", new EchoHandler(), new WebSocketRouteOptions { MaxLifetime = TimeSpan.FromHours(1), LifetimeCloseCode = CloseCode.AbnormalClosure })).ParamName);
    }

    private Task<TestServer> StartAsync(RecordingHandler handler, WebSocketRouteOptions route) =>
        TestServer.StartAsync(o =>
        {
            o.TimeProvider = _time;
            o.KeepAliveInterval = Timeout.InfiniteTimeSpan;
            o.IdleTimeout = Timeout.InfiniteTimeSpan;
            o.CloseTimeout = TimeSpan.FromDays(1); // the client reads our close before anything could cut it
            o.Routes.Map("/", handler, route);
        });
}
