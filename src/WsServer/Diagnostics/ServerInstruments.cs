using System.Diagnostics;
using System.Diagnostics.Metrics;
using WsServer.Protocol.Closing;

namespace WsServer.Diagnostics;

/// <summary>One server's instruments (names in <see cref="ServerMetrics"/>), on a meter from the host's
/// <see cref="IMeterFactory"/> when it has one. With no listener an instrument call costs a branch;
/// the handler's duration is timed only while someone listens.</summary>
internal sealed class ServerInstruments : IDisposable
{
    private readonly Meter _meter;
    private readonly UpDownCounter<long> _active;
    private readonly Counter<long> _opened;
    private readonly Counter<long> _closed;
    private readonly Counter<long> _refused;
    private readonly Counter<long> _received;
    private readonly Counter<long> _sent;
    private readonly Counter<long> _bytesReceived;
    private readonly Counter<long> _bytesSent;
    private readonly Histogram<double> _handlerDuration;
    private readonly Histogram<double> _roundTrip;

    public ServerInstruments(IMeterFactory? factory, Func<long> sendQueueBytes)
    {
        var options = new MeterOptions(ServerMetrics.MeterName) { Version = "0.1.0" };
        _meter = factory?.Create(options) ?? new Meter(options);
        _active = _meter.CreateUpDownCounter<long>(ServerMetrics.ConnectionsActive, "{connection}", "Open WebSocket connections.");
        _opened = _meter.CreateCounter<long>(ServerMetrics.ConnectionsOpened, "{connection}", "Upgrades accepted.");
        _closed = _meter.CreateCounter<long>(ServerMetrics.ConnectionsClosed, "{connection}", "Connections ended, by close code.");
        _refused = _meter.CreateCounter<long>(ServerMetrics.UpgradesRefused, "{request}", "Upgrade requests answered with an HTTP error, by status.");
        _received = _meter.CreateCounter<long>(ServerMetrics.MessagesReceived, "{message}", "Whole data messages received.");
        _sent = _meter.CreateCounter<long>(ServerMetrics.MessagesSent, "{message}", "Data messages queued to be sent.");
        _bytesReceived = _meter.CreateCounter<long>(ServerMetrics.BytesReceived, "By", "Bytes read from connections after the upgrade.");
        _bytesSent = _meter.CreateCounter<long>(ServerMetrics.BytesSent, "By", "Bytes written to connections.");
        _meter.CreateObservableUpDownCounter(ServerMetrics.SendQueueBytes, sendQueueBytes, "By", "Bytes waiting in the send queues.");
        _handlerDuration = _meter.CreateHistogram<double>(ServerMetrics.HandlerDuration, "s", "Handler time per message or posted item.");
        _roundTrip = _meter.CreateHistogram<double>(ServerMetrics.RoundTripTime, "ms", "Round-trip time of a ping to its pong.");
    }

    public void ConnectionOpened()
    {
        _active.Add(1);
        _opened.Add(1);
    }

    public void ConnectionClosed(CloseCode? code)
    {
        _active.Add(-1);
        if (_closed.Enabled) _closed.Add(1, new KeyValuePair<string, object?>("close.code", (int?)code ?? 1005));
    }

    public void UpgradeRefused(int status)
    {
        if (_refused.Enabled) _refused.Add(1, new KeyValuePair<string, object?>("http.status", status));
    }

    public void MessageReceived() => _received.Add(1);

    public void MessageSent() => _sent.Add(1);

    public void BytesReceived(long count) => _bytesReceived.Add(count);

    public void BytesSent(long count) => _bytesSent.Add(count);

    /// <summary>A timestamp to pass to <see cref="HandlerReturned"/>; 0 when nobody listens.</summary>
    public long HandlerCalled() => _handlerDuration.Enabled ? Stopwatch.GetTimestamp() : 0;

    public void HandlerReturned(long calledAt)
    {
        if (calledAt != 0) _handlerDuration.Record(Stopwatch.GetElapsedTime(calledAt).TotalSeconds);
    }

    public void RoundTrip(TimeSpan roundTrip)
    {
        if (_roundTrip.Enabled) _roundTrip.Record(roundTrip.TotalMilliseconds);
    }

    public void Dispose() => _meter.Dispose();
}
