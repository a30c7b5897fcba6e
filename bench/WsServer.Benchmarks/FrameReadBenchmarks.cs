using BenchmarkDotNet.Attributes;
using WsServer.Benchmarks.Support;
using WsServer.Protocol.Framing;

namespace WsServer.Benchmarks;

/// <summary>Read and unmask masked binary frames (RFC 6455 §5.2, §5.3) in the server role:
/// our <c>ProtocolSession.TryReadEvent</c> against the BCL's <c>WebSocket.CreateFromStream</c>.
/// One operation reads 1 MiB of payload, in frames of <c>PayloadSize</c> bytes.</summary>
[MemoryDiagnoser]
public class FrameReadBenchmarks : FrameReadComparison
{
    protected override Opcode Opcode => Opcode.Binary;

    protected override byte[] BuildPayload() => WireFrames.BinaryPayload(PayloadSize);
}
