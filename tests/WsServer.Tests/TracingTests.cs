using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.WebSockets;
using WsServer.Diagnostics;
using WsServer.Routing;
using WsServer.Tests.TestHandlers;
using WsServer.Tests.TestSupport;

namespace WsServer.Tests;

/// <summary>The server's spans (OpenTelemetry's HTTP server conventions) seen by an <see cref="ActivityListener"/>:
/// one per upgrade, continuing the request's traceparent, with its outcome; one per handler call when asked for.
/// Other tests' servers share the source, so each test keeps the spans of its own path only.</summary>
public sealed class TracingTests : IDisposable
{
    private readonly ConcurrentQueue<Activity> _stopped = new();
    private readonly ActivityListener _listener;
    private readonly string _path = $"/traced-{Guid.NewGuid():N}";

    public TracingTests()
    {
        _listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == ServerTracing.SourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = _stopped.Enqueue,
        };
        ActivitySource.AddActivityListener(_listener);
    }

    public void Dispose() => _listener.Dispose();

    private IEnumerable<Activity> Upgrades => _stopped.Where(a => a.GetTagItem("url.path") as string == _path);

    [Fact]
    public async Task AnUpgradeIsAServerSpanThatContinuesTheRequestsTraceAndEndsAt101()
    {
        await using TestServer server = await TestServer.StartAsync(o => o.Routes.Map(_path, new EchoHandler(),
            new WebSocketRouteOptions { Subprotocols = ["chat"] }));
        using var client = new ClientWebSocket();
        client.Options.AddSubProtocol("chat");
        client.Options.SetRequestHeader("traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01");
        await client.ConnectAsync(server.Uri(_path), Timeouts.Token());

        Assert.True(await Timeouts.Eventually(() => Upgrades.Any()));
        Activity span = Upgrades.Single();
        Assert.Equal(ActivityKind.Server, span.Kind);
        Assert.Equal($"GET {_path}", span.DisplayName);
        Assert.Equal("0af7651916cd43dd8448eb211c80319c", span.TraceId.ToHexString());
        Assert.Equal("b7ad6b7169203331", span.ParentSpanId.ToHexString());
        Assert.Equal(101, span.GetTagItem("http.response.status_code"));
        Assert.Equal("chat", span.GetTagItem("websocket.subprotocol"));
        Assert.Equal(_path, span.GetTagItem("http.route"));
        Assert.Equal(ActivityStatusCode.Unset, span.Status);
        await client.CloseAsync(WebSocketCloseStatus.NormalClosure, null, Timeouts.Token());
    }

    [Fact]
    public async Task ARefusedUpgradeEndsItsSpanWithTheStatusAnErrorAndTheReason()
    {
        await using TestServer server = await TestServer.StartAsync(o => o.Routes.Map(_path, new EchoHandler(),
            new WebSocketRouteOptions { AllowedOrigins = ["https://good.example"] }));
        using var client = new ClientWebSocket();
        client.Options.SetRequestHeader("Origin", "https://evil.example");

        await Assert.ThrowsAsync<WebSocketException>(() => client.ConnectAsync(server.Uri(_path), Timeouts.Token()));

        Assert.True(await Timeouts.Eventually(() => Upgrades.Any()));
        Activity span = Upgrades.Single();
        Assert.Equal(403, span.GetTagItem("http.response.status_code"));
        Assert.Equal("403", span.GetTagItem("error.type"));
        Assert.Equal(ActivityStatusCode.Error, span.Status);
        Assert.StartsWith("origin not allowed", span.GetTagItem("wsserver.refusal.reason") as string, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task HandlerCallsAreSpansUnderTheUpgradeOnlyWhenAskedFor(bool traceCalls)
    {
        await using TestServer server = await TestServer.StartAsync(o =>
        {
            o.Routes.Map(_path, new EchoHandler());
            o.TraceHandlerCalls = traceCalls;
        });
        using ClientWebSocket client = await server.ConnectAsync(_path);
        for (int i = 0; i < 3; i++)
        {
            await client.SendTextAsync($"m{i}");
            Assert.Equal($"m{i}", await client.ReceiveTextAsync());
        }
        await client.CloseAsync(WebSocketCloseStatus.NormalClosure, null, Timeouts.Token());

        Assert.True(await Timeouts.Eventually(() => Upgrades.Any()));
        Activity upgrade = Upgrades.Single();
        Activity[] calls = [.. _stopped.Where(a => a.ParentSpanId == upgrade.SpanId)];
        Assert.Equal(traceCalls ? 3 : 0, calls.Length);
        Assert.All(calls, c => Assert.Equal(upgrade.TraceId, c.TraceId));
    }
}
