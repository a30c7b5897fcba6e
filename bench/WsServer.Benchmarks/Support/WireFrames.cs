using System.Buffers;
using WsServer.Protocol.Framing;

namespace WsServer.Benchmarks.Support;

/// <summary>Wire bytes for the read benchmarks: masked client frames, as a server receives them.</summary>
public static class WireFrames
{
    /// <summary>Payload bytes each read operation processes, whatever the frame size.</summary>
    public const int PayloadBytesPerOperation = 1024 * 1024;

    /// <summary>Enough frames of <paramref name="payload"/> to carry <see cref="PayloadBytesPerOperation"/>,
    /// each masked with its own fixed key (deterministic, so runs compare).</summary>
    public static byte[] Masked(Opcode opcode, byte[] payload, out int frameCount)
    {
        ArgumentNullException.ThrowIfNull(payload);
        frameCount = Math.Max(1, PayloadBytesPerOperation / payload.Length);
        var output = new ArrayBufferWriter<byte>(frameCount * (payload.Length + 14));
        for (int i = 0; i < frameCount; i++)
            FrameWriter.WriteFrame(output, opcode, payload, maskingKey: 0x37fa213du + (uint)i);
        return output.WrittenSpan.ToArray();
    }

    /// <summary>A binary payload of <paramref name="size"/> bytes with a repeating, non-zero pattern.</summary>
    public static byte[] BinaryPayload(int size)
    {
        byte[] payload = new byte[size];
        for (int i = 0; i < payload.Length; i++)
            payload[i] = (byte)((i * 31) + 7);
        return payload;
    }
}
