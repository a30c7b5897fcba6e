using System.Buffers;

namespace WsServer.Protocol.Tests.TestSupport;

/// <summary>A buffer writer that hands out spans of a fixed small size beyond what was asked, so
/// writers that write payloads in pieces are exercised.</summary>
public sealed class SmallSpanWriter(int spanSize) : IBufferWriter<byte>
{
    private readonly List<byte> _written = [];
    private byte[] _current = [];

    public byte[] Written => [.. _written];

    public void Advance(int count) => _written.AddRange(_current.AsSpan(0, count));

    public Memory<byte> GetMemory(int sizeHint = 0) => _current = new byte[Math.Max(sizeHint, spanSize)];

    public Span<byte> GetSpan(int sizeHint = 0) => GetMemory(sizeHint).Span;
}
