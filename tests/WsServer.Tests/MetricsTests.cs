using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Net.WebSockets;
using WsServer.Connections;
using WsServer.Diagnostics;
using WsServer.Tests.TestHandlers;
using WsServer.Tests.TestSupport;

namespace WsServer.Tests;

/// <summary>Every instrument moves as its events happen, on a meter created by the host's factory, so
/// this test sees its own server's measurements only and can run beside others.</summary>
public sealed class MetricsTests
{
    [Fact]
    public async Task EveryInstrumentMovesOnTheFactorysMeter()
    {
        using var meters = new TestMeterFactory();
        var totals = new ConcurrentDictionary<string, double>();
        var tags = new ConcurrentDictionary<string, string>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (ReferenceEquals(instrument.Meter.Scope, meters)) l.EnableMeasurementEvents(instrument);
        };
        listener.SetMeasurementEventCallback<long>((i, value, t, _) => Note(i, value, t));
        listener.SetMeasurementEventCallback<double>((i, value, t, _) => Note(i, value, t));
        listener.Start();
        var handler = new RecordingHandler();
        await using TestServer server = await TestServer.StartAsync(o => o.UseHandler(handler), meters);

        using (ClientWebSocket client = await server.ConnectAsync())
        {
            WebSocketConnection connection = await handler.FirstOpened.Task.Bounded();
            Task<string> echo = client.ReceiveTextAsync();
            await client.SendTextAsync("one");
            await echo.Bounded();
            Task<(WebSocketMessageType, byte[])> pending = client.ReceiveMessageAsync(); // answers the ping
            await connection.PingAsync().Bounded();
            await client.CloseAsync(WebSocketCloseStatus.NormalClosure, null, Timeouts.Token());
        }
        await handler.Opened.Single().Completion.Bounded();
        using var plain = new HttpClient();
        HttpResponseMessage refused = await plain.GetAsync(new Uri($"http://127.0.0.1:{server.Port}/"), Timeouts.Token());

        // A peer that does not read leaves bytes in its queue: the observable total sees them.
        await using RawClient stalled = await RawClient.ConnectAsync(server.Port);
        // Its init runs just after its 101: wait for it.
        for (int i = 0; i < 400 && handler.Opened.Count < 2; i++) await Task.Delay(10);
        WebSocketConnection slow = handler.Opened.Last();
        // More than the kernel's socket buffers can take, so bytes stay queued while the peer does not read.
        Assert.Equal(SendStatus.Queued, slow.TrySend(new byte[32 * 1024 * 1024]));
        listener.RecordObservableInstruments();

        Assert.Equal(System.Net.HttpStatusCode.UpgradeRequired, refused.StatusCode);
        Assert.Equal(2, totals[ServerMetrics.ConnectionsOpened]);
        Assert.Equal(1, totals[ServerMetrics.ConnectionsClosed]);
        Assert.Equal("1000", tags[ServerMetrics.ConnectionsClosed]);
        Assert.Equal(1, totals[ServerMetrics.ConnectionsActive]);
        Assert.Equal(1, totals[ServerMetrics.UpgradesRefused]);
        Assert.Equal("426", tags[ServerMetrics.UpgradesRefused]);
        Assert.Equal(1, totals[ServerMetrics.MessagesReceived]);
        Assert.True(totals[ServerMetrics.MessagesSent] >= 2);
        Assert.True(totals[ServerMetrics.BytesReceived] > 0);
        Assert.True(totals[ServerMetrics.BytesSent] > 0);
        Assert.True(totals[ServerMetrics.SendQueueBytes] > 0);
        Assert.True(totals.ContainsKey(ServerMetrics.HandlerDuration));
        Assert.True(totals.ContainsKey(ServerMetrics.RoundTripTime));

        void Note<T>(Instrument instrument, T value, ReadOnlySpan<KeyValuePair<string, object?>> measurementTags)
            where T : struct
        {
            totals.AddOrUpdate(instrument.Name, Convert.ToDouble(value, System.Globalization.CultureInfo.InvariantCulture),
                (_, v) => v + Convert.ToDouble(value, System.Globalization.CultureInfo.InvariantCulture));
            foreach (KeyValuePair<string, object?> tag in measurementTags) tags[instrument.Name] = Convert.ToString(tag.Value, System.Globalization.CultureInfo.InvariantCulture)!;
        }
    }

    /// <summary>The host's meter factory, as DI's AddMetrics provides one.</summary>
    private sealed class TestMeterFactory : IMeterFactory
    {
        private readonly List<Meter> _meters = [];

        public Meter Create(MeterOptions options)
        {
            var meter = new Meter(options.Name, options.Version, options.Tags, scope: this);
            lock (_meters) _meters.Add(meter);
            return meter;
        }

        public void Dispose()
        {
            lock (_meters) _meters.ForEach(m => m.Dispose());
        }
    }
}
