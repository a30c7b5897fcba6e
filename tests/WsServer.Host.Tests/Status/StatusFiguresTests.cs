using System.Buffers;
using System.Diagnostics.Metrics;
using System.Text.Json;
using Microsoft.Extensions.Time.Testing;
using WsServer.Diagnostics;
using WsServer.Host.Status;

namespace WsServer.Host.Tests.Status;

/// <summary>The status page's figures on a fake clock: rates per second of the interval, percentiles of the
/// interval alone, five minutes of connection counts, and the server's instruments as their source.</summary>
public sealed class StatusFiguresTests
{
    private readonly FakeTimeProvider _time = new();

    [Fact]
    public void RatesAreTheIntervalsCountsPerSecondOfTheClock()
    {
        var figures = new StatusFigures(_time);
        figures.MessagesReceived(100);
        figures.MessagesSent(40);
        figures.MessagesSent(10);
        figures.BytesReceived(4000);
        figures.BytesSent(1000);
        _time.Advance(TimeSpan.FromSeconds(2));

        StatusSnapshot first = figures.Sample("none");
        _time.Advance(TimeSpan.FromSeconds(1));
        StatusSnapshot quiet = figures.Sample("none");

        Assert.Equal(2, first.IntervalSeconds);
        Assert.Equal((50, 25, 2000, 500), (first.MessagesInPerSecond, first.MessagesOutPerSecond, first.BytesInPerSecond, first.BytesOutPerSecond));
        Assert.Equal((0, 0, 0, 0), (quiet.MessagesInPerSecond, quiet.MessagesOutPerSecond, quiet.BytesInPerSecond, quiet.BytesOutPerSecond));
    }

    [Fact]
    public void AnIntervalOfNoLengthHasARateOfZero()
    {
        var figures = new StatusFigures(_time);
        figures.MessagesReceived(7);

        Assert.Equal(0, figures.Sample("none").MessagesInPerSecond);
    }

    [Fact]
    public void PercentilesAreTheIntervalsOwnToWithinABucket()
    {
        var figures = new StatusFigures(_time);
        for (int ms = 1; ms <= 100; ms++)
        {
            figures.HandlerTime(ms / 1000.0);
            figures.RoundTrip(ms * 10);
        }
        _time.Advance(TimeSpan.FromSeconds(1));

        StatusSnapshot busy = figures.Sample("none");
        _time.Advance(TimeSpan.FromSeconds(1));
        StatusSnapshot quiet = figures.Sample("none");

        AssertNear([50, 90, 99], busy.HandlerMilliseconds);
        AssertNear([500, 990], busy.RoundTripMilliseconds);
        Assert.All(quiet.HandlerMilliseconds, Assert.Null);
        Assert.All(quiet.RoundTripMilliseconds, Assert.Null);
    }

    [Fact]
    public void TheHistoryKeepsTheLastFiveMinutesOfConnectionCounts()
    {
        var figures = new StatusFigures(_time);
        StatusSnapshot last = null!;
        for (int second = 1; second <= StatusFigures.HistoryLength + 10; second++)
        {
            figures.ConnectionsChanged(1);
            _time.Advance(TimeSpan.FromSeconds(1));
            last = figures.Sample("none");
        }

        Assert.Equal(StatusFigures.HistoryLength, last.ConnectionHistory.Count);
        Assert.Equal(11, last.ConnectionHistory[0]);
        Assert.Equal(StatusFigures.HistoryLength + 10, last.ConnectionHistory[^1]);
        Assert.Equal(StatusFigures.HistoryLength + 10, last.Connections);
    }

    [Fact]
    public void RefusalsAndClosesAreCountedByStatusAndCodeSinceTheStart()
    {
        var figures = new StatusFigures(_time);
        figures.Refused(403, 1);
        figures.Closed(1000, 2);
        figures.Sample("none");
        figures.Refused(403, 1);
        figures.Refused(503, 1);
        figures.Closed(1006, 1);

        StatusSnapshot snapshot = figures.Sample("away");

        Assert.Equal(new Dictionary<int, long> { [403] = 2, [503] = 1 }, snapshot.RefusedByStatus);
        Assert.Equal(new Dictionary<int, long> { [1000] = 2, [1006] = 1 }, snapshot.ClosedByCode);
        Assert.Equal("away", snapshot.Backplane);
    }

    [Fact]
    public void TheListenerReadsTheServersInstrumentsByTheirNames()
    {
        // A meter of this test's own, named as the server's, so no other test's server is counted.
        using var meter = new Meter(ServerMetrics.MeterName);
        long queued = 321;
        Counter<long> received = meter.CreateCounter<long>(ServerMetrics.MessagesReceived);
        UpDownCounter<long> active = meter.CreateUpDownCounter<long>(ServerMetrics.ConnectionsActive);
        Counter<long> closed = meter.CreateCounter<long>(ServerMetrics.ConnectionsClosed);
        Histogram<double> handler = meter.CreateHistogram<double>(ServerMetrics.HandlerDuration);
        meter.CreateObservableUpDownCounter(ServerMetrics.SendQueueBytes, () => queued);
        using var listener = new StatusListener(new StatusFigures(_time), m => ReferenceEquals(m, meter));

        active.Add(3);
        active.Add(-1);
        received.Add(10);
        closed.Add(1, new KeyValuePair<string, object?>("close.code", 1001));
        handler.Record(0.002);
        _time.Advance(TimeSpan.FromSeconds(1));
        StatusSnapshot snapshot = listener.Sample("none");

        Assert.Equal(2, snapshot.Connections);
        Assert.Equal(10, snapshot.MessagesInPerSecond);
        Assert.Equal(321, snapshot.SendQueueBytes);
        Assert.Equal(new Dictionary<int, long> { [1001] = 1 }, snapshot.ClosedByCode);
        AssertNear([2, 2, 2], snapshot.HandlerMilliseconds);
    }

    [Fact]
    public void TheSnapshotIsTheJsonThePageReads()
    {
        var figures = new StatusFigures(_time);
        figures.ConnectionsChanged(1);
        figures.MessagesReceived(5);
        figures.Refused(403, 1);
        _time.Advance(TimeSpan.FromSeconds(1));
        var output = new ArrayBufferWriter<byte>();

        figures.Sample("connected").WriteJson(output);

        JsonElement json = JsonDocument.Parse(output.WrittenMemory).RootElement;
        Assert.Equal(1, json.GetProperty("connections").GetInt64());
        Assert.Equal([1], json.GetProperty("connectionHistory").EnumerateArray().Select(e => e.GetInt64()));
        Assert.Equal(5, json.GetProperty("messagesInPerSecond").GetDouble());
        Assert.Equal(JsonValueKind.Null, json.GetProperty("handlerMs").GetProperty("p99").ValueKind);
        Assert.Equal(JsonValueKind.Null, json.GetProperty("rttMs").GetProperty("p50").ValueKind);
        Assert.Equal(1, json.GetProperty("refusedByStatus").GetProperty("403").GetInt64());
        Assert.Equal("connected", json.GetProperty("backplane").GetString());
        foreach (string field in new[] { "messagesOutPerSecond", "bytesInPerSecond", "bytesOutPerSecond", "sendQueueBytes", "closedByCode" })
            Assert.True(json.TryGetProperty(field, out _), field);
    }

    /// <summary>Each value within the buckets' 4 % of what was expected.</summary>
    private static void AssertNear(double[] expected, IReadOnlyList<double?> actual)
    {
        Assert.Equal(expected.Length, actual.Count);
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.NotNull(actual[i]);
            Assert.InRange(actual[i]!.Value, expected[i] * 0.96, expected[i] * 1.04 + 1e-9);
        }
    }
}
