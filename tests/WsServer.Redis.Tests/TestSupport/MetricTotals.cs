using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace WsServer.Redis.Tests.TestSupport;

/// <summary>A meter factory of the test's own and the totals of its instruments, so a test sees only
/// its own nodes' measurements.</summary>
public sealed class MetricTotals : IMeterFactory
{
    private readonly List<Meter> _meters = [];
    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<string, double> _totals = new();

    public MetricTotals()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (ReferenceEquals(instrument.Meter.Scope, this)) listener.EnableMeasurementEvents(instrument);
        };
        _listener.SetMeasurementEventCallback<long>((i, value, tags, _) => Add(i, value, tags));
        _listener.SetMeasurementEventCallback<double>((i, value, tags, _) => Add(i, value, tags));
        _listener.Start();
    }

    /// <summary>The sum of an instrument's measurements (a histogram's: their count, under NAME.count),
    /// or of those with tag direction=DIRECTION under NAME/DIRECTION.</summary>
    public double this[string name] => _totals.GetValueOrDefault(name);

    public Meter Create(MeterOptions options)
    {
        var meter = new Meter(options.Name, options.Version, options.Tags, this);
        lock (_meters) _meters.Add(meter);
        return meter;
    }

    public void Dispose()
    {
        _listener.Dispose();
        lock (_meters) foreach (Meter meter in _meters) meter.Dispose();
    }

    private void Add(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        if (instrument is Histogram<double>)
        {
            _totals.AddOrUpdate(instrument.Name + ".count", 1, (_, total) => total + 1);
            return;
        }
        _totals.AddOrUpdate(instrument.Name, value, (_, total) => total + value);
        foreach (KeyValuePair<string, object?> tag in tags)
            if (tag.Key == "direction") _totals.AddOrUpdate($"{instrument.Name}/{tag.Value}", value, (_, total) => total + value);
    }
}
