using BenchmarkDotNet.Attributes;
using WsServer.Benchmarks.Support;
using WsServer.Protocol.Framing;

namespace WsServer.Benchmarks;

/// <summary>Read, unmask and validate (RFC 6455 §8.1) masked text frames in the server role, ASCII
/// and Japanese: ours against the BCL's, which validates UTF-8 too. One operation reads 1 MiB of
/// payload, in frames of <see cref="PayloadSize"/> bytes.</summary>
[MemoryDiagnoser]
public class TextFrameReadBenchmarks : IThroughputBenchmark
{
    private SessionReceiver _ours = null!;
    private BclReceiver _bcl = null!;

    [Params(Corpus.Ascii, Corpus.Japanese)]
    public Corpus Corpus { get; set; }

    [Params(16, 4 * 1024, 1024 * 1024)]
    public int PayloadSize { get; set; }

    public long BytesPerOperation => WireFrames.PayloadBytesPerOperation;

    [GlobalSetup]
    public void Setup()
    {
        byte[] wire = WireFrames.Masked(Opcode.Text, TextCorpus.Build(Corpus, PayloadSize), out int frames);
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
