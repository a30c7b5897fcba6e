using System.Buffers;

namespace WsServer.Protocol.Framing;

/// <summary>Serializes frames onto an <see cref="IBufferWriter{T}"/> without allocating.</summary>
public static class FrameWriter
{
    /// <summary>Writes the 2 to 14 header bytes of <paramref name="header"/>.</summary>
    public static void WriteHeader(IBufferWriter<byte> output, in FrameHeader header) =>
        throw new NotImplementedException();

    /// <summary>Writes a whole frame: header, then the payload, masked with
    /// <paramref name="maskingKey"/> when one is given (the source is not modified).</summary>
    public static void WriteFrame(IBufferWriter<byte> output, Opcode opcode, ReadOnlySpan<byte> payload,
        bool fin = true, bool rsv1 = false, uint? maskingKey = null) =>
        throw new NotImplementedException();
}
