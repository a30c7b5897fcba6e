using BenchmarkDotNet.Attributes;
using WsServer.Benchmarks.Support;
using WsServer.Protocol.Framing;

namespace WsServer.Benchmarks;

/// <summary>Read and unmask masked binary frames (RFC 6455 §5.2, §5.3) in the server role:
/// our <c>ProtocolSession.TryReadEvent</c> against the BCL's <c>WebSocket.CreateFromStream</c>, and our session
/// reading in place as the server's do. One operation reads 1 MiB of payload, in frames of <c>PayloadSize</c> bytes.</summary>
[MemoryDiagnoser]
public class FrameReadBenchmarks : FrameReadComparison
{
    private SessionReceiver _inPlace = null!;

    protected override Opcode Opcode => Opcode.Binary;

    protected override byte[] BuildPayload() => WireFrames.BinaryPayload(PayloadSize);

    [GlobalSetup(Target = nameof(ProtocolSessionInPlace))]
    public void SetupInPlace() => _inPlace = new SessionReceiver(WireFrames.Masked(Opcode, BuildPayload(), out _), inPlace: true);

    [GlobalCleanup(Target = nameof(ProtocolSessionInPlace))]
    public void CleanupInPlace() => _inPlace.Dispose();

    /// <summary>Each message unmasked where it lies and handed out from there: no buffer, no copy.</summary>
    [Benchmark]
    public long ProtocolSessionInPlace() => _inPlace.ReadAll();
}
