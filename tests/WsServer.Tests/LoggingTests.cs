using System.Net;
using System.Net.WebSockets;
using Microsoft.Extensions.Logging;
using WsServer.Tests.TestHandlers;
using WsServer.Tests.TestSupport;

namespace WsServer.Tests;

/// <summary>What operators read: stable event ids, the same field names wherever a field recurs, a scope
/// per connection, and nothing per message at Information.</summary>
public sealed class LoggingTests
{
    [Fact]
    public async Task EventsHaveStableIdsStructuredFieldsAndAScopePerConnection()
    {
        var log = new CapturingLogger();
        var echo = new RecordingHandler();
        await using TestServer server = await TestServer.StartAsync(o => o.Routes
            .Map("/echo", echo)
            .Map("/throw", new ThrowingHandler()), logging: log);

        using (ClientWebSocket client = await server.ConnectAsync("/echo"))
        {
            for (int i = 0; i < 20; i++)
            {
                await client.SendTextAsync($"message {i}");
                await client.ReceiveTextAsync().Bounded();
            }
            await client.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", Timeouts.Token());
        }
        await echo.Opened.Single().Completion.Bounded();
        long echoId = echo.Opened.Single().Id;
        using (ClientWebSocket failing = await server.ConnectAsync("/throw"))
        {
            await failing.SendTextAsync("throw");
            Assert.Equal((WebSocketCloseStatus)1011, (await failing.ReceiveCloseAsync()).Status);
        }
        Assert.Equal(404, (await HttpExchange.SendAsync(server.Port, HttpExchange.UpgradeRequest(server.Port, "/nowhere"))).Status);

        var listening = Assert.Single(log.Records, r => r.Id.Id == 1);
        Assert.Equal(("Listening", LogLevel.Information), (listening.Id.Name, listening.Level));

        var opened = Assert.Single(log.Records, r => r.Id.Id == 2 && Equals(r.Fields["ConnectionId"], echoId));
        Assert.Equal("ConnectionOpened", opened.Id.Name);
        Assert.Equal("/echo", opened.Fields["Path"]);
        Assert.True(opened.Fields.ContainsKey("Remote"));

        var closed = Assert.Single(log.Records, r => r.Id.Id == 3 && Equals(r.Fields["ConnectionId"], echoId));
        Assert.Equal(("ConnectionClosed", 1000, "done"), (closed.Id.Name, closed.Fields["CloseCode"], closed.Fields["Reason"]));
        // The closed line is written in the connection's scope, which names it.
        Assert.Equal(echoId, closed.ScopeFields["ConnectionId"]);
        Assert.Equal("/echo", closed.ScopeFields["Path"]);
        Assert.IsType<IPEndPoint>(closed.ScopeFields["Remote"]);
        Assert.Equal("Connection {ConnectionId} from {Remote} for {Path}", closed.ScopeFields["{OriginalFormat}"]);
        Assert.Contains($"Connection {echoId} from {closed.ScopeFields["Remote"]} for /echo", log.ScopeTexts);

        var refused = Assert.Single(log.Records, r => r.Id.Id == 4);
        Assert.Equal(("UpgradeRefused", 404), (refused.Id.Name, refused.Fields["StatusCode"]));

        var failed = Assert.Single(log.Records, r => r.Id.Id == 5);
        Assert.Equal(("HandlerFailed", LogLevel.Error), (failed.Id.Name, failed.Level));
        Assert.Equal("/throw", failed.ScopeFields["Path"]);

        // Twenty messages, and the connection's only lines at Information are its open and its close.
        Assert.Equal(2, log.Records.Count(r => r.Level >= LogLevel.Information
            && (Equals(r.Fields.GetValueOrDefault("ConnectionId"), echoId) || Equals(r.ScopeFields.GetValueOrDefault("ConnectionId"), echoId))));
    }
}
