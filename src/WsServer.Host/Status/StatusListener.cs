using System.Diagnostics.Metrics;
using WsServer.Diagnostics;

namespace WsServer.Host.Status;

/// <summary>
/// Feeds <see cref="StatusFigures"/> from the server's instruments (<see cref="ServerMetrics"/>) with a
/// <see cref="MeterListener"/>: the server does nothing for the status page that it does not do for any
/// metrics listener. Started before the server accepts, so the count of open connections starts at zero
/// with it. The send-queue gauge is observed when a sample is taken.
/// </summary>
internal sealed class StatusListener : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly StatusFigures _figures;

    /// <summary>Listens to the instruments of every meter <paramref name="listensTo"/> picks (the program's:
    /// the one named <see cref="ServerMetrics.MeterName"/>).</summary>
    public StatusListener(StatusFigures figures, Func<Meter, bool> listensTo)
    {
        _figures = figures;
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (listensTo(instrument.Meter) && IsRead(instrument.Name)) listener.EnableMeasurementEvents(instrument);
        };
        _listener.SetMeasurementEventCallback<long>(OnLong);
        _listener.SetMeasurementEventCallback<double>(OnDouble);
        _listener.Start();
    }

    /// <summary>Observes the gauges, then samples the figures.</summary>
    public StatusSnapshot Sample(string backplane)
    {
        _listener.RecordObservableInstruments();
        return _figures.Sample(backplane);
    }

    public void Dispose() => _listener.Dispose();

    private static bool IsRead(string name) => name is ServerMetrics.ConnectionsActive or ServerMetrics.ConnectionsClosed
        or ServerMetrics.UpgradesRefused or ServerMetrics.MessagesReceived or ServerMetrics.MessagesSent or ServerMetrics.BytesReceived
        or ServerMetrics.BytesSent or ServerMetrics.SendQueueBytes or ServerMetrics.HandlerDuration or ServerMetrics.RoundTripTime;

    private void OnLong(Instrument instrument, long value, ReadOnlySpan<KeyValuePair<string, object?>> tags, object? state)
    {
        switch (instrument.Name)
        {
            case ServerMetrics.ConnectionsActive: _figures.ConnectionsChanged(value); break;
            case ServerMetrics.MessagesReceived: _figures.MessagesReceived(value); break;
            case ServerMetrics.MessagesSent: _figures.MessagesSent(value); break;
            case ServerMetrics.BytesReceived: _figures.BytesReceived(value); break;
            case ServerMetrics.BytesSent: _figures.BytesSent(value); break;
            case ServerMetrics.SendQueueBytes: _figures.SendQueue(value); break;
            case ServerMetrics.ConnectionsClosed: _figures.Closed(Tag(tags, "close.code"), value); break;
            case ServerMetrics.UpgradesRefused: _figures.Refused(Tag(tags, "http.status"), value); break;
        }
    }

    private void OnDouble(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags, object? state)
    {
        if (instrument.Name == ServerMetrics.HandlerDuration) _figures.HandlerTime(value);
        else if (instrument.Name == ServerMetrics.RoundTripTime) _figures.RoundTrip(value);
    }

    private static int Tag(ReadOnlySpan<KeyValuePair<string, object?>> tags, string name)
    {
        foreach (KeyValuePair<string, object?> tag in tags)
            if (tag.Key == name && tag.Value is int value) return value;
        return 0;
    }
}
