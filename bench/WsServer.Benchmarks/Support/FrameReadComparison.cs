using BenchmarkDotNet.Attributes;
using WsServer.Protocol.Framing;

namespace WsServer.Benchmarks.Support;

/// <summary>Our session against the BCL's WebSocket reading the same masked frames: a derived class
/// says which frames (opcode and payload); one operation reads 1 MiB of payload.</summary>
public abstract class FrameReadComparison : IThroughputBenchmark
{
    private SessionReceiver _ours = null!;
    private BclReceiver _bcl = null!;

    [Params(16, 4 * 1024, 1024 * 1024)]
    public int PayloadSize { get; set; }

    public long BytesPerOperation => WireFrames.PayloadBytesPerOperation;

    protected abstract Opcode Opcode { get; }

    protected abstract byte[] BuildPayload();

    [GlobalSetup]
    public void Setup()
    {
        byte[] wire = WireFrames.Masked(Opcode, BuildPayload(), out int frames);
        _ours = new SessionReceiver(wire);
        _bcl = new BclReceiver(wire, frames, PayloadSize);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _ours.Dispose();
        _bcl.Dispose();
    }

    [Benchmark]
    public long ProtocolSession() => _ours.ReadAll();

    [Benchmark(Baseline = true)]
    public long BclWebSocket() => _bcl.ReadAll();
}
