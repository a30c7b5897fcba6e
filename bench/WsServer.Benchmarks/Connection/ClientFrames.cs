using System.Buffers;
using WsServer.Protocol.Framing;

namespace WsServer.Benchmarks.Connection;

/// <summary>The bytes the benchmark client sends, built once: the upgrade request and masked frames
/// (RFC 6455 §5.3: "The masking key is a 32-bit value chosen at random"; fixed here, so runs compare).</summary>
public static class ClientFrames
{
    private const uint MaskingKey = 0x37fa213d;

    /// <summary>A minimal upgrade request (RFC 6455 §4.1), the RFC's sample key.</summary>
    public static ReadOnlySpan<byte> UpgradeRequest =>
        "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"u8;

    /// <summary>A masked close frame with status 1000 (normal closure) and no reason.</summary>
    public static byte[] NormalClosure { get; } = Masked(Opcode.Close, [0x03, 0xE8]);

    /// <summary>The server's answer to <see cref="NormalClosure"/>: its echo, unmasked (RFC 6455 §5.5.1).</summary>
    public static ReadOnlySpan<byte> NormalClosureEcho => [0x88, 0x02, 0x03, 0xE8];

    /// <summary>One whole masked frame of <paramref name="payload"/>.</summary>
    public static byte[] Masked(Opcode opcode, ReadOnlySpan<byte> payload)
    {
        var output = new ArrayBufferWriter<byte>(payload.Length + 14);
        FrameWriter.WriteFrame(output, opcode, payload, maskingKey: MaskingKey);
        return output.WrittenSpan.ToArray();
    }

    /// <summary>The length of an unmasked server frame carrying <paramref name="payloadLength"/> bytes.</summary>
    public static int ServerFrameLength(int payloadLength) =>
        payloadLength + payloadLength switch { <= 125 => 2, <= ushort.MaxValue => 4, _ => 10 };
}
