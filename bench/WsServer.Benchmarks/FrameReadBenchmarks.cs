using BenchmarkDotNet.Attributes;
using WsServer.Benchmarks.Support;
using WsServer.Protocol.Framing;

namespace WsServer.Benchmarks;

/// <summary>Read and unmask masked binary frames (RFC 6455 §5.2, §5.3) in the server role:
/// our <c>ProtocolSession.TryReadEvent</c> against the BCL's <c>WebSocket.CreateFromStream</c>.
/// One operation reads 1 MiB of payload, in frames of <see cref="PayloadSize"/> bytes.</summary>
[MemoryDiagnoser]
public class FrameReadBenchmarks : IThroughputBenchmark
{
    private SessionReceiver _ours = null!;
    private BclReceiver _bcl = null!;

    [Params(16, 4 * 1024, 1024 * 1024)]
    public int PayloadSize { get; set; }

    public long BytesPerOperation => WireFrames.PayloadBytesPerOperation;

    [GlobalSetup]
    public void Setup()
    {
        byte[] wire = WireFrames.Masked(Opcode.Binary, WireFrames.BinaryPayload(PayloadSize), out int frames);
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
