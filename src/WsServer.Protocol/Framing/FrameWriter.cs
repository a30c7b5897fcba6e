using System.Buffers;
using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;

namespace WsServer.Protocol.Framing;

/// <summary>Serializes frames onto an <see cref="IBufferWriter{T}"/> without allocating.</summary>
/// <remarks>Writes the minimal length encoding (§5.2: "In all cases, the minimal number of bytes
/// MUST be used to encode the length"). Large payloads are written in as many spans as the
/// writer hands out, so a writer is never asked for one span the size of the payload.</remarks>
public static class FrameWriter
{
    /// <summary>The largest header: 2 fixed bytes, an 8-byte length and a 4-byte masking key.</summary>
    public const int MaxHeaderLength = 14;

    /// <summary>Writes the 2 to 14 header bytes of <paramref name="header"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The payload length is negative or the opcode
    /// does not fit in 4 bits.</exception>
    public static void WriteHeader(IBufferWriter<byte> output, in FrameHeader header)
    {
        ArgumentNullException.ThrowIfNull(output);
        output.Advance(WriteHeaderInto(output.GetSpan(MaxHeaderLength), header));
    }

    /// <summary>A whole unmasked frame in an array of its own, exactly its size: a frame encoded once and
    /// sent as it is, many times (a broadcast).</summary>
    public static byte[] EncodeFrame(Opcode opcode, ReadOnlySpan<byte> payload, bool rsv1 = false)
    {
        byte[] frame = AllocateFrame(opcode, payload.Length, rsv1, out Span<byte> room);
        payload.CopyTo(room);
        return frame;
    }

    /// <summary>An array of exactly one unmasked frame's size with its header written; <paramref name="payload"/>
    /// is where the caller writes the <paramref name="payloadLength"/> bytes.</summary>
    public static byte[] AllocateFrame(Opcode opcode, int payloadLength, bool rsv1, out Span<byte> payload)
    {
        var header = new FrameHeader(Fin: true, rsv1, opcode, payloadLength);
        byte[] frame = GC.AllocateUninitializedArray<byte>(header.Length + payloadLength);
        payload = frame.AsSpan(WriteHeaderInto(frame, header));
        return frame;
    }

    // Into a span with room for the header; returns its length.
    internal static int WriteHeaderInto(Span<byte> span, in FrameHeader header)
    {
        if (header.PayloadLength < 0 || (byte)header.Opcode > 0xF) ThrowInvalid(header);

        span[0] = (byte)((header.Fin ? 0x80 : 0)
                         | (header.Rsv1 ? 0x40 : 0)
                         | (header.Rsv2 ? 0x20 : 0)
                         | (header.Rsv3 ? 0x10 : 0)
                         | (byte)header.Opcode);
        byte maskBit = header.MaskingKey is null ? (byte)0 : (byte)0x80;
        int written;

        // §5.2: "Payload length: 7 bits, 7+16 bits, or 7+64 bits ... If 0-125, that is the
        // payload length. If 126, the following 2 bytes ... If 127, the following 8 bytes".
        long length = header.PayloadLength;
        if (length <= 125)
        {
            span[1] = (byte)(maskBit | (byte)length);
            written = 2;
        }
        else if (length <= ushort.MaxValue)
        {
            span[1] = (byte)(maskBit | 126);
            BinaryPrimitives.WriteUInt16BigEndian(span[2..], (ushort)length);
            written = 4;
        }
        else
        {
            span[1] = (byte)(maskBit | 127);
            BinaryPrimitives.WriteUInt64BigEndian(span[2..], (ulong)length);
            written = 10;
        }

        if (header.MaskingKey is uint key)
        {
            BinaryPrimitives.WriteUInt32BigEndian(span[written..], key);
            written += 4;
        }
        return written;
    }

    // Out of line, so the header's writing, once per message, carries no throw of its own.
    [DoesNotReturn]
    private static void ThrowInvalid(in FrameHeader header)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(header.PayloadLength, nameof(header));
        throw new ArgumentOutOfRangeException(nameof(header), header.Opcode, "An opcode has 4 bits.");
    }

    /// <summary>Writes a whole frame: header, then the payload, masked with
    /// <paramref name="maskingKey"/> when one is given (the source is not modified).</summary>
    public static void WriteFrame(IBufferWriter<byte> output, Opcode opcode, ReadOnlySpan<byte> payload,
        bool fin = true, bool rsv1 = false, uint? maskingKey = null)
    {
        WriteHeader(output, new FrameHeader(fin, rsv1, opcode, payload.Length, maskingKey));
        WritePayload(output, payload, maskingKey);
    }

    /// <summary>Copies a payload, masking it on the way when a key is given.</summary>
    internal static void WritePayload(IBufferWriter<byte> output, ReadOnlySpan<byte> payload, uint? maskingKey)
    {
        int keyOffset = 0;
        while (!payload.IsEmpty)
        {
            Span<byte> span = output.GetSpan();
            int count = Math.Min(span.Length, payload.Length);
            if (maskingKey is uint key)
                keyOffset = PayloadMask.Apply(payload[..count], span, key, keyOffset);
            else
                payload[..count].CopyTo(span);
            output.Advance(count);
            payload = payload[count..];
        }
    }
}
