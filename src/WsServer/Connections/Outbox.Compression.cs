using System.Buffers;
using System.Text;
using WsServer.Protocol.Compression;
using WsServer.Protocol.Framing;

namespace WsServer.Connections;

/// <content>permessage-deflate on the way out (RFC 7692 §7.2.1). Messages are compressed under the
/// outbox lock, so the shared compression context sees them in the order they go on the wire, whichever
/// thread sends them. Messages under the threshold, and prepared (pre-encoded) messages, go plain,
/// which §6 allows: RSV1 says per message whether it is compressed.</content>
internal sealed partial class Outbox
{
    private PayloadDeflater? _deflater;
    private int _threshold;

    /// <summary>Compresses data messages of at least <paramref name="threshold"/> bytes with
    /// <paramref name="deflater"/>, which the outbox then owns. Call before anything is sent.</summary>
    public void UseCompression(PayloadDeflater deflater, int threshold)
    {
        lock (_gate)
        {
            _deflater = deflater;
            _threshold = threshold;
        }
    }

    /// <summary>True when the connection's compressor holds zlib state (tests of the memory strategy).</summary>
    internal bool HoldsCompressionState
    {
        get { lock (_gate) return _deflater?.HoldsState == true; }
    }

    // Called under _gate.
    private bool TryWriteCompressed(Opcode opcode, ReadOnlySpan<byte> payload)
    {
        if (_deflater is null || payload.Length < _threshold || opcode is not (Opcode.Text or Opcode.Binary)) return false;
        using CompressedPayload compressed = _deflater.Compress(payload);
        // §6: "set the "Per-Message Compressed" bit of the first frame"; the message is one frame.
        FrameWriter.WriteFrame(this, opcode, compressed.Span, rsv1: true);
        return true;
    }

    // Called under _gate.
    private bool TryWriteCompressedText(ReadOnlySpan<char> text)
    {
        // A UTF-8 length is at least the char count, so shorter text stays under the threshold.
        if (_deflater is null || Encoding.UTF8.GetMaxByteCount(text.Length) < _threshold) return false;
        byte[] utf8 = ArrayPool<byte>.Shared.Rent(Encoding.UTF8.GetMaxByteCount(text.Length));
        try
        {
            int length = Encoding.UTF8.GetBytes(text, utf8);
            if (length < _threshold) return false;
            return TryWriteCompressed(Opcode.Text, utf8.AsSpan(0, length));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(utf8);
        }
    }

    // Called under _gate: once stopped, nothing more is compressed.
    private void ReleaseCompression()
    {
        _deflater?.Dispose();
        _deflater = null;
    }
}
