using WsServer.LoadTest.Measuring;

namespace WsServer.LoadTest.Client;

/// <summary>What the code driving a load's connections shares with the code measuring it.</summary>
internal sealed class LoadState(LatencyHistogram? latency = null)
{
    /// <summary>Round trips are timed into it while <see cref="Recording"/>; null when not timed.</summary>
    public LatencyHistogram? Latency { get; } = latency;

    /// <summary>Whole messages received, over all connections.</summary>
    public long Received;

    /// <summary>Messages sent by a load's pacing connection (the fan-out's sender: its broadcasts).</summary>
    public long Sent;

    public volatile bool Recording;

    /// <summary>Set at the end: no new message is sent, and those in flight are awaited.</summary>
    public volatile bool Stopping;
}
