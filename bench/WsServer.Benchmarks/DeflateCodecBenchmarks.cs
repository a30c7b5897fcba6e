using System.IO.Compression;
using System.Text;
using BenchmarkDotNet.Attributes;
using WsServer.Benchmarks.Support;
using WsServer.Protocol.Compression;

namespace WsServer.Benchmarks;

/// <summary>Compressing one permessage-deflate message (level 6, window 15): the codec's system zlib
/// (<see cref="PayloadDeflater"/>, <c>libz.so.1</c>) against the BCL's <see cref="DeflateStream"/> (the
/// zlib that ships with the runtime) over a memory buffer, flushed per message (a sync flush). With
/// context takeover one compressor is kept for every message; without, ours resets a pooled one and
/// the BCL's is a fresh stream per message (it cannot be reset). The measurement behind the README's
/// Platforms section: whether a BCL fallback, for machines without libz.so.1, would cost speed.</summary>
[MemoryDiagnoser]
public class DeflateCodecBenchmarks : IThroughputBenchmark
{
    private static readonly ZLibCompressionOptions Level6 = new() { CompressionLevel = 6 };

    private byte[] _message = [];
    private PayloadDeflater? _ours;
    private MemoryStream _buffer = new();
    private DeflateStream? _kept;

    [Params(1024, 64 * 1024)]
    public int MessageSize { get; set; }

    [Params(false, true)]
    public bool ContextTakeover { get; set; }

    public long BytesPerOperation => MessageSize;

    [GlobalSetup]
    public void Setup()
    {
        _message = JsonLikeText(MessageSize);
        _ours = new PayloadDeflater(DeflateParameters.MaxWindowBits, noContextTakeover: !ContextTakeover);
        _buffer = new MemoryStream(MessageSize + 1024);
        _kept = ContextTakeover ? new DeflateStream(_buffer, Level6, leaveOpen: true) : null;
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _ours?.Dispose();
        _kept?.Dispose();
        _buffer.Dispose();
    }

    [Benchmark(Baseline = true)]
    public int SystemZlib()
    {
        using CompressedPayload payload = _ours!.Compress(_message);
        return payload.Span.Length;
    }

    [Benchmark]
    public long BclDeflateStream()
    {
        _buffer.SetLength(0);
        if (_kept is { } kept)
        {
            kept.Write(_message);
            kept.Flush();
            return _buffer.Length;
        }
        using var fresh = new DeflateStream(_buffer, Level6, leaveOpen: true);
        fresh.Write(_message);
        fresh.Flush();
        return _buffer.Length;
    }

    /// <summary>Records of a chat or a feed: compressible, but not one sentence repeated.</summary>
    internal static byte[] JsonLikeText(int size)
    {
        var text = new StringBuilder(size + 64);
        for (int i = 0; text.Length < size; i++)
            text.Append("{\"id\":").Append(i).Append(",\"user\":\"user").Append(i % 37).Append("\",\"text\":\"message ")
                .Append(i * 7919 % 1000).Append("\",\"ok\":").Append(i % 3 == 0 ? "true" : "false").Append("},");
        return Encoding.ASCII.GetBytes(text.ToString(0, size));
    }
}
