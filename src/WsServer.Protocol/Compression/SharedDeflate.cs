using WsServer.Protocol.Framing;

namespace WsServer.Protocol.Compression;

/// <summary>
/// The compressor settings of server sessions that may all be sent one compressed frame (uWebSockets'
/// shared compressor): each agreed <c>server_no_context_takeover</c>, so every message they receive is
/// compressed from an empty window (RFC 7692 §7.1.1.1) and the same bytes inflate alike in each of
/// their peers. Sessions with equal settings share a frame; see <see cref="Session.ProtocolSession.SharedDeflateFor"/>.
/// </summary>
/// <param name="WindowBits">The agreed server window, 8..15.</param>
/// <param name="CompressionLevel">zlib's level.</param>
/// <param name="MemoryLevel">zlib's memLevel.</param>
public readonly record struct SharedDeflate(int WindowBits, int CompressionLevel, int MemoryLevel)
{
    /// <summary>Encodes a whole unmasked server frame with RSV1 set (§6), its payload compressed from an
    /// empty window, ready to be sent as it is on every session these settings came from.</summary>
    public byte[] EncodeFrame(Opcode opcode, ReadOnlySpan<byte> payload)
    {
        using var deflater = new PayloadDeflater(WindowBits, noContextTakeover: true, CompressionLevel, MemoryLevel);
        using CompressedPayload compressed = deflater.Compress(payload);
        return FrameWriter.EncodeFrame(opcode, compressed.Span, rsv1: true);
    }
}
