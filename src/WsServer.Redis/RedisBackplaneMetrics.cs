using System.Diagnostics.Metrics;

namespace WsServer.Redis;

/// <summary>
/// The backplane's instruments, on the server's meter name <c>WsServer</c>
/// (<see cref="WsServer.Diagnostics.ServerMetrics.MeterName"/>), so whatever reads the server's
/// metrics reads these too.
/// </summary>
public static class RedisBackplaneMetrics
{
    /// <summary>Counter of messages relayed through Redis, tagged <c>direction</c>: <c>out</c> (Redis
    /// confirmed the publish) or <c>in</c> (received from another node, to deliver here).</summary>
    public const string MessagesRelayed = "wsserver.backplane.messages.relayed";

    /// <summary>Counter of messages that never left this node for the others, because the queue toward
    /// Redis was full (Redis slow or away) or the backplane stopped; local subscribers got them.</summary>
    public const string MessagesDropped = "wsserver.backplane.messages.dropped";

    /// <summary>Counter of messages written to Redis whose publish Redis never confirmed (a timeout, or the
    /// connection broke with them in flight): they may have reached the other nodes, late, or not.</summary>
    public const string MessagesUnconfirmed = "wsserver.backplane.messages.unconfirmed";

    /// <summary>Gauge of the messages waiting in the queue toward Redis.</summary>
    public const string QueueLength = "wsserver.backplane.queue.length";

    /// <summary>Gauge of the topics this node receives from Redis (those with a subscriber here).</summary>
    public const string Topics = "wsserver.backplane.topics";

    /// <summary>Counter of reconnections to Redis after a loss.</summary>
    public const string Reconnects = "wsserver.backplane.reconnects";

    /// <summary>Histogram of the time from publishing on one node to delivering on another, in
    /// milliseconds, from the timestamp in the envelope (so it assumes the nodes' clocks agree).</summary>
    public const string Lag = "wsserver.backplane.lag";
}

/// <summary>The instruments behind <see cref="RedisBackplaneMetrics"/>.</summary>
internal sealed class BackplaneInstruments : IDisposable
{
    private readonly Meter _meter;
    private readonly bool _ownsMeter;

    public BackplaneInstruments(IMeterFactory? factory, Func<int> queueLength, Func<int> topics)
    {
        var options = new MeterOptions(WsServer.Diagnostics.ServerMetrics.MeterName) { Version = "0.1.0" };
        _ownsMeter = factory is null;
        _meter = factory?.Create(options) ?? new Meter(options);
        Relayed = _meter.CreateCounter<long>(RedisBackplaneMetrics.MessagesRelayed, "{message}", "Messages relayed through Redis");
        Dropped = _meter.CreateCounter<long>(RedisBackplaneMetrics.MessagesDropped, "{message}", "Messages that never left this node for the others");
        Unconfirmed = _meter.CreateCounter<long>(RedisBackplaneMetrics.MessagesUnconfirmed, "{message}", "Publishes Redis never confirmed");
        Reconnects = _meter.CreateCounter<long>(RedisBackplaneMetrics.Reconnects, "{reconnect}", "Reconnections to Redis");
        Lag = _meter.CreateHistogram<double>(RedisBackplaneMetrics.Lag, "ms", "Time from publish to arrival on another node");
        _meter.CreateObservableGauge(RedisBackplaneMetrics.QueueLength, queueLength, "{message}", "Messages waiting for Redis");
        _meter.CreateObservableGauge(RedisBackplaneMetrics.Topics, topics, "{topic}", "Topics received from Redis");
    }

    public Counter<long> Relayed { get; }
    public Counter<long> Dropped { get; }
    public Counter<long> Unconfirmed { get; }
    public Counter<long> Reconnects { get; }
    public Histogram<double> Lag { get; }

    public void Dispose()
    {
        if (_ownsMeter) _meter.Dispose();
    }
}
