using BenchmarkDotNet.Attributes;
using WsServer.Benchmarks.Support;
using WsServer.Protocol.Framing;

namespace WsServer.Benchmarks;

/// <summary>The XOR masking of RFC 6455 §5.3 in place: the vectorized <see cref="PayloadMask"/> against
/// a naive byte-by-byte loop, for contrast.</summary>
[MemoryDiagnoser]
public class PayloadMaskBenchmarks : IThroughputBenchmark
{
    private const uint Key = 0x37fa213d;
    private byte[] _payload = [];

    [Params(16, 4 * 1024, 1024 * 1024)]
    public int PayloadSize { get; set; }

    public long BytesPerOperation => PayloadSize;

    [GlobalSetup]
    public void Setup() => _payload = WireFrames.BinaryPayload(PayloadSize);

    [Benchmark]
    public int Vectorized() => PayloadMask.Apply(_payload, Key, 0);

    [Benchmark(Baseline = true)]
    public int NaiveScalar()
    {
        Span<byte> payload = _payload;
        for (int i = 0; i < payload.Length; i++)
            payload[i] ^= (byte)(Key >> (24 - (8 * (i & 3))));
        return payload.Length & 3;
    }
}
