using System.Buffers;
using WsServer.Protocol.Framing;
using WsServer.Protocol.Tests.TestSupport;

namespace WsServer.Protocol.Tests.Framing;

/// <summary>RFC 6455 §5.2 Base Framing Protocol and the §5.7 examples, written.</summary>
public class FrameWriterTests
{
    private static string Write(Opcode opcode, byte[] payload, bool fin = true, uint? key = null)
    {
        var output = new ArrayBufferWriter<byte>();
        FrameWriter.WriteFrame(output, opcode, payload, fin, maskingKey: key);
        return Hex.Format(output.WrittenSpan);
    }

    [Fact]
    public void WritesTheUnmaskedHelloExample() =>
        Assert.Equal("810548656c6c6f", Write(Opcode.Text, "Hello"u8.ToArray()));

    [Fact]
    public void WritesTheMaskedHelloExample() =>
        Assert.Equal("818537fa213d7f9f4d5158", Write(Opcode.Text, "Hello"u8.ToArray(), key: 0x37fa213d));

    [Fact]
    public void WritesTheFragmentedHelloExample()
    {
        Assert.Equal("010348656c", Write(Opcode.Text, "Hel"u8.ToArray(), fin: false));
        Assert.Equal("80026c6f", Write(Opcode.Continuation, "lo"u8.ToArray()));
    }

    [Fact]
    public void WritesTheUnmaskedPingExample() =>
        Assert.Equal("890548656c6c6f", Write(Opcode.Ping, "Hello"u8.ToArray()));

    [Fact]
    public void WritesTheMaskedPongExample() =>
        Assert.Equal("8a8537fa213d7f9f4d5158", Write(Opcode.Pong, "Hello"u8.ToArray(), key: 0x37fa213d));

    [Fact]
    public void Writes256BytesWithA16BitLength()
    {
        byte[] payload = Enumerable.Range(0, 256).Select(i => (byte)i).ToArray();

        string written = Write(Opcode.Binary, payload);

        Assert.Equal("827e0100" + Hex.Format(payload), written);
    }

    [Fact]
    public void Writes64KiBWithA64BitLength()
    {
        byte[] payload = Enumerable.Range(0, 65536).Select(i => (byte)(i * 7)).ToArray();

        string written = Write(Opcode.Binary, payload);

        Assert.Equal("827f0000000000010000" + Hex.Format(payload), written);
    }

    [Theory]
    [InlineData(125, "7d")]
    [InlineData(126, "7e007e")]
    [InlineData(65535, "7effff")]
    [InlineData(65536, "7f0000000000010000")]
    [InlineData(long.MaxValue, "7f7fffffffffffffff")]
    public void UsesTheMinimalLengthEncoding(long length, string secondByteOn)
    {
        var output = new ArrayBufferWriter<byte>();
        var header = new FrameHeader(true, false, Opcode.Binary, length);

        FrameWriter.WriteHeader(output, header);

        Assert.Equal("82" + secondByteOn, Hex.Format(output.WrittenSpan));
        Assert.Equal(header.Length, output.WrittenCount);
    }

    [Fact]
    public void WritesReservedBitsAndKey()
    {
        var output = new ArrayBufferWriter<byte>();
        var header = new FrameHeader(false, true, Opcode.Text, 0, 0x01020304) { Rsv2 = true, Rsv3 = true };

        FrameWriter.WriteHeader(output, header);

        Assert.Equal("718001020304", Hex.Format(output.WrittenSpan));
    }

    [Fact]
    public void NegativeLengthIsRejected() =>
        Assert.Throws<ArgumentOutOfRangeException>(() =>
            FrameWriter.WriteHeader(new ArrayBufferWriter<byte>(), new FrameHeader(true, false, Opcode.Binary, -1)));

    [Fact]
    public void MaskedPayloadSpreadOverSmallSpansKeepsTheKeyInStep()
    {
        byte[] payload = Enumerable.Range(0, 1000).Select(i => (byte)i).ToArray();
        var output = new SmallSpanWriter(7);

        FrameWriter.WriteFrame(output, Opcode.Binary, payload, maskingKey: 0x37fa213d);

        Assert.Equal(Frames.Binary(payload).Masked(0x37fa213d).ToArray(), output.Written);
    }

    [Fact]
    public void MaskingLeavesTheSourcePayloadAlone()
    {
        byte[] payload = "Hello"u8.ToArray();

        Write(Opcode.Text, payload, key: 0x37fa213d);

        Assert.Equal("Hello"u8.ToArray(), payload);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(5)]
    [InlineData(125)]
    [InlineData(126)]
    [InlineData(65_535)]
    [InlineData(65_536)]
    public void AFrameInItsOwnArrayIsExactlyWhatTheWriterWrites(int length)
    {
        byte[] payload = [.. Enumerable.Range(0, length).Select(i => (byte)i)];
        var written = new ArrayBufferWriter<byte>();
        FrameWriter.WriteFrame(written, Opcode.Binary, payload, rsv1: true);

        byte[] frame = FrameWriter.EncodeFrame(Opcode.Binary, payload, rsv1: true);

        Assert.Equal(written.WrittenSpan.ToArray(), frame); // the same bytes and not one more
    }

    [Fact]
    public void AnAllocatedFrameLeavesExactlyThePayloadToTheCaller()
    {
        byte[] frame = FrameWriter.AllocateFrame(Opcode.Text, 5, rsv1: false, out Span<byte> payload);
        Assert.Equal(5, payload.Length);
        "Hello"u8.CopyTo(payload);

        Assert.Equal("810548656c6c6f", Hex.Format(frame));
    }
}
