using System.Net.WebSockets;
using WsServer.Connections;
using WsServer.Routing;
using WsServer.Tests.TestHandlers;
using WsServer.Tests.TestSupport;

namespace WsServer.Tests.Upgrade;

/// <summary>The seed's to-do "reject a connection before it is established": the route's callback and a
/// handler's <see cref="IUpgradeFilter"/>.</summary>
public sealed class UpgradeCallbackTests
{
    private static WebSocketRouteOptions Callback(Func<UpgradeContext, ValueTask<UpgradeDecision>> callback) => new() { OnUpgrade = callback };

    [Fact]
    public async Task AnAsyncAcceptChoosesTheSubprotocolAndAddsAHeader()
    {
        var handler = new RecordingHandler();
        await using TestServer server = await TestServer.StartAsync(o => o.Routes.Map("/a", handler, Callback(async context =>
        {
            await Task.Yield(); // a token check that goes elsewhere
            return UpgradeDecision.Accept("second", [new("X-Session", "42")]);
        })));
        using var client = new ClientWebSocket();
        client.Options.AddSubProtocol("first");
        client.Options.AddSubProtocol("second");
        client.Options.CollectHttpResponseDetails = true;

        await client.ConnectAsync(server.Uri("/a"), Timeouts.Token());

        Assert.Equal("second", client.SubProtocol);
        Assert.Equal(["42"], client.HttpResponseHeaders!["X-Session"]);
        Assert.Equal("second", (await handler.FirstOpened.Task.Bounded()).Info.Subprotocol);
    }

    [Fact]
    public async Task ARejectedClientGetsExactlyTheStatusHeaderAndBodyAndNoStateIsCreated()
    {
        var handler = new CountingHandler();
        UpgradeContext? seen = null;
        await using TestServer server = await TestServer.StartAsync(o => o.Routes.Map("/a", handler, Callback(context =>
        {
            seen = context;
            return new(UpgradeDecision.Reject(401, "token expired", [new("WWW-Authenticate", "Bearer")]));
        })));

        HttpAnswer answer = await HttpExchange.SendAsync(server.Port, HttpExchange.UpgradeRequest(server.Port, "/a?token=t1"));

        Assert.Equal(401, answer.Status);
        Assert.Equal("Bearer", answer.Header("WWW-Authenticate"));
        Assert.Equal("token expired", answer.Body);
        Assert.Equal("t1", seen!.GetQueryValue("token"));
        Assert.Equal(System.Net.IPAddress.Loopback, seen.RemoteEndPoint.Address);
        Assert.Equal("/a", seen.Route.Pattern);
        Assert.Equal(0, handler.Inits);
        Assert.Equal(0, server.Server.ConnectionCount);
    }

    [Fact]
    public async Task ClientWebSocketSeesTheRejectionStatusAndHeader()
    {
        await using TestServer server = await TestServer.StartAsync(o => o.Routes.Map("/a", new EchoHandler(),
            Callback(_ => new(UpgradeDecision.Reject(429, "slow down", [new("Retry-After", "5")])))));
        using var client = new ClientWebSocket();
        client.Options.CollectHttpResponseDetails = true;

        await Assert.ThrowsAsync<WebSocketException>(() => client.ConnectAsync(server.Uri("/a"), Timeouts.Token()));

        Assert.Equal(429, (int)client.HttpStatusCode);
        Assert.Equal(["5"], client.HttpResponseHeaders!["Retry-After"]);
    }

    [Fact]
    public async Task ACallbackThatThrowsGives500()
    {
        var handler = new CountingHandler();
        await using TestServer server = await TestServer.StartAsync(o => o.Routes.Map("/a", handler,
            Callback(_ => throw new InvalidOperationException("database down"))));

        HttpAnswer answer = await HttpExchange.SendAsync(server.Port, HttpExchange.UpgradeRequest(server.Port, "/a"));

        Assert.Equal(500, answer.Status);
        Assert.DoesNotContain("database", answer.Body, StringComparison.Ordinal);
        Assert.Equal(0, handler.Inits);
    }

    [Fact]
    public async Task AChosenSubprotocolTheClientDidNotOfferGives500()
    {
        await using TestServer server = await TestServer.StartAsync(o => o.Routes.Map("/a", new EchoHandler(),
            Callback(_ => new(UpgradeDecision.Accept("never-offered")))));

        HttpAnswer answer = await HttpExchange.SendAsync(server.Port, HttpExchange.UpgradeRequest(server.Port, "/a"));

        Assert.Equal(500, answer.Status);
    }

    [Fact]
    public async Task AHandlerThatIsAnUpgradeFilterDecidesAfterTheRouteCallback()
    {
        var filter = new FilteringHandler();
        await using TestServer server = await TestServer.StartAsync(o => o.Routes.Map("/f", filter,
            Callback(_ => new(UpgradeDecision.Accept(headers: [new("X-Route", "yes")], items: [new("from-route", 1)])))));

        HttpAnswer refused = await HttpExchange.SendAsync(server.Port, HttpExchange.UpgradeRequest(server.Port, "/f"));
        using ClientWebSocket accepted = await server.ConnectAsync("/f?pass=1");
        WebSocketConnection connection = await filter.Opened.Task.Bounded();

        Assert.Equal(403, refused.Status);
        Assert.Equal("pass required", refused.Body);
        Assert.Equal(1, connection.Info.Items["from-route"]);
        Assert.Equal("1", connection.Info.Items["from-filter"]);
    }

    private sealed class FilteringHandler : IWebSocketHandler<int>, IUpgradeFilter
    {
        public TaskCompletionSource<WebSocketConnection> Opened { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public ValueTask<UpgradeDecision> OnUpgradeAsync(UpgradeContext context) =>
            new(context.GetQueryValue("pass") is { } pass
                ? UpgradeDecision.Accept(items: [new("from-filter", pass)])
                : UpgradeDecision.Reject(403, "pass required"));

        public ValueTask<int> InitAsync(WebSocketConnection connection, CancellationToken cancellationToken)
        {
            Opened.TrySetResult(connection);
            return new(0);
        }

        public ValueTask<HandleResult<int>> HandleAsync(WebSocketMessage message, int state, CancellationToken cancellationToken) =>
            new(HandleResult.NoReply(state));
    }
}
