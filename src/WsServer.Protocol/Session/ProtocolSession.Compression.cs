using System.Buffers;
using WsServer.Protocol.Closing;
using WsServer.Protocol.Compression;
using WsServer.Protocol.Framing;

namespace WsServer.Protocol.Session;

/// <content>permessage-deflate (RFC 7692) on the reading side: RSV1 rules, and inflation in bounded
/// chunks between unmasking and UTF-8 validation, so the size limit stops a bomb early and invalid
/// text fails as soon as it is inflated.</content>
public sealed partial class ProtocolSession
{
    /// <summary>Compressed bytes are unmasked into a pooled scratch buffer this big, then inflated.</summary>
    private const int InflateInputChunk = 16 * 1024;

    /// <summary>The most inflated bytes produced per zlib call, before the limit is checked again.</summary>
    private const int InflateOutputChunk = 64 * 1024;

    private PayloadInflater? _inflater;
    private PayloadDeflater? _deflater;
    private bool _compressed;

    /// <summary>True while the session holds zlib state (for tests of the memory strategy).</summary>
    internal bool HoldsCompressionState => _inflater?.HoldsState == true || _deflater?.HoldsState == true;

    private bool TryBeginCompressedFrame(out ProtocolViolation violation)
    {
        violation = default;
        if (!_frame.Rsv1)
        {
            if (_frame.Opcode is Opcode.Text or Opcode.Binary) _compressed = false;
            return true;
        }

        // RFC 7692 §6.1: "An endpoint MUST NOT set the "Per-Message Compressed" bit of control frames
        // and non-first fragments of a data message." (FrameReader only lets RSV1 through when
        // permessage-deflate was negotiated.)
        if (_frame.Opcode.IsControl())
            return Fail(CloseCode.ProtocolError, "RSV1 set on a control frame", out violation);
        if (_frame.Opcode == Opcode.Continuation)
            return Fail(CloseCode.ProtocolError, "RSV1 set on a continuation frame", out violation);
        _compressed = true;
        return true;
    }

    /// <summary>Unmasks what the input holds of the current compressed payload and inflates it.</summary>
    private bool TryReadCompressedPayload(ref SequenceReader<byte> reader, out ProtocolViolation violation)
    {
        violation = default;
        if (_payloadRemaining == 0 || reader.End) return true;
        byte[] scratch = ArrayPool<byte>.Shared.Rent(InflateInputChunk);
        try
        {
            while (_payloadRemaining > 0 && !reader.End)
            {
                ReadOnlySpan<byte> source = reader.UnreadSpan;
                int count = (int)Math.Min(Math.Min(source.Length, _payloadRemaining), scratch.Length);
                Span<byte> chunk = scratch.AsSpan(0, count);
                CopyPayload(source[..count], chunk);
                reader.Advance(count);
                _payloadRemaining -= count;
                if (!TryInflate(chunk, out violation)) return false;
            }
            return true;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(scratch);
        }
    }

    /// <summary>After the final frame of a compressed message: §7.2.2 "Append 4 octets of 0x00 0x00
    /// 0xff 0xff to the tail end of the payload of the message" and inflate them.</summary>
    private bool TryEndCompressedMessage(out ProtocolViolation violation)
    {
        violation = default;
        if (!_compressed) return true;
        _compressed = false;
        if (!TryInflate(PayloadInflater.FlushTail, out violation)) return false;
        _inflater!.EndMessage();
        return true;
    }

    /// <summary>Inflates into the message in chunks, checking the limit before each: a message that
    /// would grow past it fails with 1009 as soon as one byte too many comes out.</summary>
    private bool TryInflate(ReadOnlySpan<byte> compressed, out ProtocolViolation violation)
    {
        violation = default;
        PayloadInflater inflater = Inflater();
        Span<byte> probe = stackalloc byte[1];
        while (true)
        {
            long room = _message.Remaining;
            // Inflate into the free part of the message buffer (at least 1 KiB, at most 64 KiB), so a
            // small message does not make the buffer grow beyond what it needs.
            int free = Math.Clamp(_message.Capacity - _message.Length, 1024, InflateOutputChunk);
            Span<byte> output = room > 0 ? _message.GetChunkBuffer((int)Math.Min(room, free)) : probe;
            if (inflater.Inflate(compressed, output, out int consumed, out int written) != OperationStatus.Done)
                return Fail(CloseCode.InvalidPayloadData, "compressed payload is not valid DEFLATE", out violation);
            compressed = compressed[consumed..];
            if (room == 0 && written > 0)
                return Fail(CloseCode.MessageTooBig, "message too big once inflated", out violation);
            if (written > 0 && !_message.TryCommit(written, out violation))
                return false;
            if (compressed.IsEmpty && written < output.Length)
                return true;
            if (consumed == 0 && written == 0)
                return Fail(CloseCode.InvalidPayloadData, "compressed payload makes no progress", out violation);
        }
    }

    /// <summary>The decompressor for the peer's messages, made at the first compressed bytes.</summary>
    private PayloadInflater Inflater()
    {
        if (_inflater is not null) return _inflater;
        DeflateParameters parameters = Options.Deflate!;
        EndpointRole peer = Role == EndpointRole.Server ? EndpointRole.Client : EndpointRole.Server;
        return _inflater = new PayloadInflater(parameters.WindowBits(peer), parameters.NoContextTakeover(peer));
    }

    /// <summary>Writes a data message compressed when permessage-deflate is agreed and the payload
    /// reaches the threshold: RSV1 on its one frame (RFC 7692 §6). False when it should go plain.</summary>
    private bool TryWriteCompressed(IBufferWriter<byte> output, Opcode opcode, ReadOnlySpan<byte> payload)
    {
        if (!ShouldCompress(payload.Length)) return false;
        using CompressedPayload compressed = Compress(payload);
        FrameWriter.WriteFrame(output, opcode, compressed.Span, rsv1: true, maskingKey: NextMaskingKey());
        return true;
    }

    private void ReleaseCompression()
    {
        _inflater?.Dispose();
        _inflater = null;
        _deflater?.Dispose();
        _deflater = null;
        _compressed = false;
    }

    private static bool Fail(CloseCode code, string reason, out ProtocolViolation violation)
    {
        violation = new ProtocolViolation(code, reason);
        return false;
    }
}
