using System.Text.Unicode;
using BenchmarkDotNet.Attributes;
using WsServer.Benchmarks.Support;
using WsServer.Protocol.Messages;

namespace WsServer.Benchmarks;

/// <summary>UTF-8 validation of a text message (RFC 6455 §8.1): our incremental
/// <see cref="Utf8Validator"/> over the whole text and over 4 KiB chunks (as it runs when a message
/// arrives in pieces), against the BCL's one-shot <see cref="Utf8.IsValid"/>.</summary>
[MemoryDiagnoser]
public class Utf8ValidatorBenchmarks : IThroughputBenchmark
{
    private const int Size = 64 * 1024;
    private const int ChunkSize = 4 * 1024;
    private byte[] _text = [];

    [Params(Corpus.Ascii, Corpus.Japanese)]
    public Corpus Corpus { get; set; }

    public long BytesPerOperation => Size;

    [GlobalSetup]
    public void Setup() => _text = TextCorpus.Build(Corpus, Size);

    [Benchmark(Baseline = true)]
    public bool Utf8IsValid() => Utf8.IsValid(_text);

    [Benchmark]
    public bool ValidatorWhole()
    {
        var validator = new Utf8Validator();
        return validator.TryAppend(_text) && validator.TryComplete();
    }

    [Benchmark]
    public bool ValidatorChunked()
    {
        var validator = new Utf8Validator();
        ReadOnlySpan<byte> text = _text;
        for (int offset = 0; offset < text.Length; offset += ChunkSize)
        {
            if (!validator.TryAppend(text.Slice(offset, Math.Min(ChunkSize, text.Length - offset))))
                return false;
        }

        return validator.TryComplete();
    }
}
