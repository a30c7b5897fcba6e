using System.Diagnostics.Metrics;

namespace WsServer.Redis;

/// <summary>
/// The backplane's instruments, on the server's meter name <c>WsServer</c>
/// (<see cref="WsServer.Diagnostics.ServerMetrics.MeterName"/>), so whatever reads the server's
/// metrics reads these too.
/// </summary>
public static class RedisBackplaneMetrics
{
    /// <summary>Counter of messages relayed through Redis, tagged <c>direction</c>: <c>out</c> (published
    /// to Redis) or <c>in</c> (received from another node and delivered here).</summary>
    public const string MessagesRelayed = "wsserver.backplane.messages.relayed";

    /// <summary>Counter of messages not published because Redis was unreachable (the other nodes
    /// never see them; local subscribers still got topic messages).</summary>
    public const string MessagesDropped = "wsserver.backplane.messages.dropped";

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

    public BackplaneInstruments(IMeterFactory? factory)
    {
        var options = new MeterOptions(WsServer.Diagnostics.ServerMetrics.MeterName) { Version = "0.1.0" };
        _ownsMeter = factory is null;
        _meter = factory?.Create(options) ?? new Meter(options);
        Relayed = _meter.CreateCounter<long>(RedisBackplaneMetrics.MessagesRelayed, "{message}", "Messages relayed through Redis");
        Dropped = _meter.CreateCounter<long>(RedisBackplaneMetrics.MessagesDropped, "{message}", "Messages dropped while Redis was unreachable");
        Reconnects = _meter.CreateCounter<long>(RedisBackplaneMetrics.Reconnects, "{reconnect}", "Reconnections to Redis");
        Lag = _meter.CreateHistogram<double>(RedisBackplaneMetrics.Lag, "ms", "Time from publish to arrival on another node");
    }

    public Counter<long> Relayed { get; }
    public Counter<long> Dropped { get; }
    public Counter<long> Reconnects { get; }
    public Histogram<double> Lag { get; }

    public void Dispose()
    {
        if (_ownsMeter) _meter.Dispose();
    }
}
