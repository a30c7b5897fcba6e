using BenchmarkDotNet.Attributes;
using WsServer.Benchmarks.Support;
using WsServer.Protocol.Framing;

namespace WsServer.Benchmarks;

/// <summary>Read, unmask and validate (RFC 6455 §8.1) masked text frames in the server role, ASCII
/// and Japanese: ours against the BCL's, which validates UTF-8 too. One operation reads 1 MiB of
/// payload, in frames of <c>PayloadSize</c> bytes.</summary>
[MemoryDiagnoser]
public class TextFrameReadBenchmarks : FrameReadComparison
{
    [Params(Corpus.Ascii, Corpus.Japanese)]
    public Corpus Corpus { get; set; }

    protected override Opcode Opcode => Opcode.Text;

    protected override byte[] BuildPayload() => TextCorpus.Build(Corpus, PayloadSize);
}
