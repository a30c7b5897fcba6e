namespace WsServer.Benchmarks.Support;

/// <summary>A benchmark whose operation processes a known number of payload bytes, so
/// <see cref="ThroughputColumn"/> can turn its mean time into MB/s.</summary>
public interface IThroughputBenchmark
{
    /// <summary>Payload bytes one operation processes; must depend only on the [Params] values.</summary>
    long BytesPerOperation { get; }
}
