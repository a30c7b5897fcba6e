using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Net.WebSockets;
using WsServer.Diagnostics;
using WsServer.Tests.TestHandlers;
using WsServer.Tests.TestSupport;

namespace WsServer.Tests;

/// <summary>The meter is process-wide: these tests run alone, so every measurement is theirs.</summary>
[CollectionDefinition(nameof(MetricsTests), DisableParallelization = true)]
public sealed class MetricsCollection;

/// <summary>The meter reports connections, messages and refusals as they happen.</summary>
[Collection(nameof(MetricsTests))]
public sealed class MetricsTests
{
    [Fact]
    public async Task ConnectionsMessagesAndRefusalsAreCounted()
    {
        var totals = new ConcurrentDictionary<string, long>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == ServerMetrics.MeterName) l.EnableMeasurementEvents(instrument);
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, _, _) => totals.AddOrUpdate(instrument.Name, value, (_, v) => v + value));
        listener.Start();
        var handler = new RecordingHandler();
        await using TestServer server = await TestServer.StartAsync(handler);

        using (ClientWebSocket client = await server.ConnectAsync())
        {
            await client.SendTextAsync("one");
            await client.ReceiveTextAsync();
            await client.CloseAsync(WebSocketCloseStatus.NormalClosure, null, Timeouts.Token());
        }
        await handler.Opened.Single().Completion.Bounded();
        using var plain = new HttpClient();
        HttpResponseMessage response = await plain.GetAsync(new Uri($"http://127.0.0.1:{server.Port}/"), Timeouts.Token());

        Assert.Equal(System.Net.HttpStatusCode.UpgradeRequired, response.StatusCode);
        Assert.Equal(1, totals.GetValueOrDefault("wsserver.connections.opened"));
        Assert.Equal(1, totals.GetValueOrDefault("wsserver.connections.closed"));
        Assert.Equal(0, totals.GetValueOrDefault("wsserver.connections.active"));
        Assert.Equal(1, totals.GetValueOrDefault("wsserver.messages.received"));
        Assert.Equal(1, totals.GetValueOrDefault("wsserver.upgrades.refused"));
    }
}
