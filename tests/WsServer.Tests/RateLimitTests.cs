using WsServer.Connections;
using WsServer.Routing;
using WsServer.Tests.TestHandlers;
using WsServer.Tests.TestSupport;

namespace WsServer.Tests;

/// <summary>Rate limits on a fake clock, refilled by the server's heartbeat once a second: a connection's
/// messages and bytes (close with 1008, or stop reading until the bucket refills) and new connections per
/// address (429 with Retry-After before the upgrade).</summary>
public sealed class RateLimitTests
{
    private readonly FakeClock _time = new();

    [Fact]
    public async Task AMessageOverTheConnectionsRateIsClosedWith1008UnderClose()
    {
        await using TestServer server = await StartAsync(new WebSocketRouteOptions
        {
            RateLimit = new MessageRateLimit { MessagesPerSecond = 3 },
        });
        await using RawClient client = await RawClient.ConnectAsync(server.Port);

        await client.SendAsync([.. Enumerable.Range(0, 4).SelectMany(i => ClientFrame.Text($"m{i}"))]);

        for (int i = 0; i < 3; i++) await client.ExpectTextAsync($"m{i}");
        ReceivedFrame close = (await client.ReadFrameAsync())!.Value;
        Assert.Equal((ushort)1008, close.CloseCode);
        Assert.Equal("rate limit exceeded", close.Text);
    }

    [Fact]
    public async Task UnderPauseTheServerReadsNothingMoreUntilTheBucketRefillsThenGoesOn()
    {
        var handler = new RecordingHandler();
        await using TestServer server = await TestServer.StartAsync(o =>
        {
            Quiet(o);
            o.RateLimit = new MessageRateLimit { MessagesPerSecond = 2, OnExcess = RateLimitExcess.Pause };
            o.Routes.Map("/", handler);
        });
        await using RawClient client = await RawClient.ConnectAsync(server.Port);
        WebSocketConnection connection = await handler.FirstOpened.Task.Bounded();

        await client.SendAsync([.. Enumerable.Range(0, 5).SelectMany(i => ClientFrame.Text($"m{i}"))]);
        await client.ExpectTextAsync("m0");
        await client.ExpectTextAsync("m1");
        // The third waits for the bucket: a string posted now is answered before it.
        await NothingDue.AssertAsync(client, connection);

        _time.Advance(TimeSpan.FromSeconds(1)); // two more tokens
        await client.ExpectTextAsync("m2");
        await client.ExpectTextAsync("m3");
        await NothingDue.AssertAsync(client, connection);
        _time.Advance(TimeSpan.FromSeconds(1));
        await client.ExpectTextAsync("m4");
    }

    [Fact]
    public async Task BytesCountToo()
    {
        await using TestServer server = await StartAsync(new WebSocketRouteOptions
        {
            RateLimit = new MessageRateLimit { BytesPerSecond = 10 },
        });
        await using RawClient client = await RawClient.ConnectAsync(server.Port);

        await client.SendAsync([.. ClientFrame.Text("123456"), .. ClientFrame.Text("7890"), .. ClientFrame.Text("x")]);

        await client.ExpectTextAsync("123456");
        await client.ExpectTextAsync("7890");
        Assert.Equal((ushort)1008, (await client.ReadFrameAsync())!.Value.CloseCode);
    }

    [Fact]
    public async Task TheConnectionsFromOneAddressShareItsLimitAndTheBucketOutlivesNoneOfThem()
    {
        await using TestServer server = await TestServer.StartAsync(new EchoHandler(), o =>
        {
            Quiet(o);
            o.RateLimitPerIp = new MessageRateLimit { MessagesPerSecond = 3 };
        });
        await using RawClient first = await RawClient.ConnectAsync(server.Port);
        await using RawClient second = await RawClient.ConnectAsync(server.Port);

        await first.SendAsync([.. ClientFrame.Text("a1"), .. ClientFrame.Text("a2")]);
        await first.ExpectTextAsync("a1");
        await first.ExpectTextAsync("a2");
        await second.SendAsync([.. ClientFrame.Text("b1"), .. ClientFrame.Text("b2")]);

        await second.ExpectTextAsync("b1"); // the address's third message this second
        ReceivedFrame close = (await second.ReadFrameAsync())!.Value; // its fourth
        Assert.Equal((ushort)1008, close.CloseCode);
        _time.Advance(TimeSpan.FromSeconds(1));
        await first.SendAsync(ClientFrame.Text("a3"));
        await first.ExpectTextAsync("a3");
    }

    [Fact]
    public async Task NewConnectionsOverTheAddresssRateGet429WithRetryAfterUntilTheNextSecond()
    {
        await using TestServer server = await TestServer.StartAsync(new EchoHandler(), o =>
        {
            Quiet(o);
            o.ConnectionsPerSecondPerIp = 2;
        });
        await using RawClient first = await RawClient.ConnectAsync(server.Port);
        await using RawClient second = await RawClient.ConnectAsync(server.Port);

        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, $"http://127.0.0.1:{server.Port}/");
        foreach ((string name, string value) in new[] { ("Upgrade", "websocket"), ("Connection", "Upgrade"),
                     ("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ=="), ("Sec-WebSocket-Version", "13") })
            request.Headers.Add(name, value);
        HttpResponseMessage third = await http.SendAsync(request, Timeouts.Token());
        Assert.Equal(System.Net.HttpStatusCode.TooManyRequests, third.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(1), third.Headers.RetryAfter!.Delta);

        // Just before the second's refill the address is still over its rate; at the refill it is not.
        _time.Advance(TimeSpan.FromSeconds(1) - TimeSpan.FromMilliseconds(1));
        using var again = new HttpRequestMessage(HttpMethod.Get, request.RequestUri);
        foreach (var header in request.Headers) again.Headers.Add(header.Key, header.Value);
        Assert.Equal(System.Net.HttpStatusCode.TooManyRequests, (await http.SendAsync(again, Timeouts.Token())).StatusCode);
        _time.Advance(TimeSpan.FromMilliseconds(1));
        await using RawClient fourth = await RawClient.ConnectAsync(server.Port); // asserts the 101
    }

    private Task<TestServer> StartAsync(WebSocketRouteOptions route) =>
        TestServer.StartAsync(o =>
        {
            Quiet(o);
            o.Routes.Map("/", new EchoHandler(), route);
        });

    private void Quiet(WsServer.Hosting.ServerOptions o)
    {
        o.TimeProvider = _time;
        o.KeepAliveInterval = Timeout.InfiniteTimeSpan;
        o.IdleTimeout = Timeout.InfiniteTimeSpan;
    }
}
