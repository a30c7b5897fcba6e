using System.Buffers;
using CsCheck;
using WsServer.Protocol.Closing;
using WsServer.Protocol.Framing;
using WsServer.Protocol.Messages;
using WsServer.Protocol.Session;
using WsServer.Protocol.Tests.TestSupport;

namespace WsServer.Protocol.Tests.Session;

/// <summary>RFC 6455 §5.1 (who masks), §5.5 and §7.1.2 (sending the Close frame), on the sending side.</summary>
public class ProtocolSessionWritingTests
{
    [Fact]
    public void ServerWritesUnmaskedFrames()
    {
        using var session = new ProtocolSession(EndpointRole.Server);
        var output = new ArrayBufferWriter<byte>();

        session.WriteMessage(output, MessageKind.Text, "Hello"u8);
        session.WritePing(output, "Hello"u8);
        session.WritePong(output, []);

        Assert.Equal("810548656c6c6f" + "890548656c6c6f" + "8a00", Hex.Format(output.WrittenSpan));
    }

    [Fact]
    public void ClientMasksEveryFrame()
    {
        using var session = new ProtocolSession(EndpointRole.Client);
        var output = new ArrayBufferWriter<byte>();

        session.WriteMessage(output, MessageKind.Binary, [1, 2, 3]);
        session.WritePing(output, "p"u8);
        session.WriteClose(output, CloseCode.NormalClosure, "done");

        List<RecordedEvent> read = SessionDriver.ReadBack(EndpointRole.Client, output.WrittenSpan.ToArray());
        Assert.Equal([ProtocolEventKind.Message, ProtocolEventKind.Ping, ProtocolEventKind.Close], read.Select(e => e.Kind));
        Assert.Equal([1, 2, 3], read[0].Payload);
        Assert.Equal("done", read[2].Reason);
    }

    [Fact]
    public void WriteCloseSendsCodeAndReasonAndMovesToCloseSent()
    {
        using var session = new ProtocolSession(EndpointRole.Server);
        var output = new ArrayBufferWriter<byte>();

        session.WriteClose(output, CloseCode.GoingAway, "bye");

        Assert.Equal("880503e9627965", Hex.Format(output.WrittenSpan));
        Assert.Equal(SessionState.CloseSent, session.State);
    }

    [Fact]
    public void WriteCloseWithoutACodeSendsAnEmptyClose()
    {
        using var session = new ProtocolSession(EndpointRole.Server);
        var output = new ArrayBufferWriter<byte>();

        session.WriteClose(output, null);

        Assert.Equal("8800", Hex.Format(output.WrittenSpan));
    }

    [Fact]
    public void WritingAfterACloseWasSentThrows()
    {
        using var session = new ProtocolSession(EndpointRole.Server);
        var output = new ArrayBufferWriter<byte>();
        session.WriteClose(output);

        Assert.Throws<InvalidOperationException>(() => session.WriteMessage(output, MessageKind.Text, "late"u8));
        Assert.Throws<InvalidOperationException>(() => session.WritePing(output, []));
        Assert.Throws<InvalidOperationException>(() => session.WriteClose(output));
    }

    [Fact]
    public void WritingAfterThePeerClosedThrows()
    {
        using var session = new ProtocolSession(EndpointRole.Server);
        SessionDriver.Arriving(session, [Frames.Close(1000).Masked(1).ToArray()]);

        Assert.Throws<InvalidOperationException>(() => session.WriteMessage(new ArrayBufferWriter<byte>(), MessageKind.Text, "late"u8));
    }

    [Fact]
    public void ControlPayloadOver125BytesThrows()
    {
        using var session = new ProtocolSession(EndpointRole.Server);

        Assert.Throws<ArgumentException>(() => session.WritePing(new ArrayBufferWriter<byte>(), new byte[126]));
        Assert.Throws<ArgumentException>(() => session.WritePong(new ArrayBufferWriter<byte>(), new byte[126]));
    }

    [Fact]
    public void UnsendableCloseCodeThrows()
    {
        using var session = new ProtocolSession(EndpointRole.Server);

        Assert.Throws<ArgumentException>(() => session.WriteClose(new ArrayBufferWriter<byte>(), CloseCode.AbnormalClosure));
        Assert.Equal(SessionState.Open, session.State);
    }

    [Fact]
    public void WrittenMessagesReadBackTheSameOverRandomSplits()
    {
        Gen<(EndpointRole Role, byte[][] Payloads, bool[] Text, int Seed)> cases = Gen.Select(
            Gen.OneOfConst(EndpointRole.Server, EndpointRole.Client),
            Gen.Byte.Array[0, 400].Array[1, 6],
            Gen.Bool.Array[6],
            Gen.Int);

        cases.Sample((role, payloads, text, seed) =>
        {
            using var writer = new ProtocolSession(role);
            var wire = new ArrayBufferWriter<byte>();
            for (int i = 0; i < payloads.Length; i++)
            {
                if (text[i])
                    payloads[i] = System.Text.Encoding.UTF8.GetBytes(Convert.ToBase64String(payloads[i]) + "€😀");
                writer.WriteMessage(wire, text[i] ? MessageKind.Text : MessageKind.Binary, payloads[i]);
                writer.WritePing(wire, payloads[i].AsSpan(0, Math.Min(payloads[i].Length, 125)));
            }

            byte[] bytes = wire.WrittenSpan.ToArray();
            byte[][] chunks = RandomChunks(bytes, new Random(seed));
            EndpointRole reader = role == EndpointRole.Server ? EndpointRole.Client : EndpointRole.Server;
            SessionOutcome outcome = SessionDriver.Arriving(reader, null, chunks);

            List<RecordedEvent> messages = outcome.Events.Where(e => e.Kind == ProtocolEventKind.Message).ToList();
            Assert.Equal(payloads.Length, messages.Count);
            Assert.Equal(payloads.Length, outcome.Events.Count(e => e.Kind == ProtocolEventKind.Ping));
            for (int i = 0; i < payloads.Length; i++)
            {
                Assert.Equal(payloads[i], messages[i].Payload);
                Assert.Equal(text[i] ? MessageKind.Text : MessageKind.Binary, messages[i].MessageKind);
            }

            Assert.Empty(outcome.Unconsumed);
        }, iter: 300);
    }

    [Fact]
    public void FragmentedFramesReadBackAsOneMessageOverRandomSplits()
    {
        Gen<(byte[][] Fragments, uint Key, int Seed)> cases = Gen.Select(Gen.Byte.Array[0, 300].Array[1, 5], Gen.UInt, Gen.Int);

        cases.Sample((fragments, key, seed) =>
        {
            var wire = new ArrayBufferWriter<byte>();
            for (int i = 0; i < fragments.Length; i++)
            {
                Opcode opcode = i == 0 ? Opcode.Binary : Opcode.Continuation;
                FrameWriter.WriteFrame(wire, opcode, fragments[i], fin: i == fragments.Length - 1, maskingKey: key + (uint)i);
                FrameWriter.WriteFrame(wire, Opcode.Pong, [], maskingKey: key);
            }

            SessionOutcome outcome = SessionDriver.Arriving(EndpointRole.Server, null, RandomChunks(wire.WrittenSpan.ToArray(), new Random(seed)));

            RecordedEvent message = Assert.Single(outcome.Events, e => e.Kind == ProtocolEventKind.Message);
            Assert.Equal(fragments.SelectMany(f => f).ToArray(), message.Payload);
        }, iter: 300);
    }

    private static byte[][] RandomChunks(byte[] bytes, Random random)
    {
        var chunks = new List<byte[]>();
        int at = 0;
        while (at < bytes.Length)
        {
            int size = Math.Min(bytes.Length - at, random.Next(1, random.Next(2) == 0 ? 8 : 300));
            chunks.Add(bytes[at..(at + size)]);
            at += size;
        }

        return [.. chunks];
    }

    [Theory]
    [InlineData(MessageKind.Binary, 0)]
    [InlineData(MessageKind.Text, 125)]
    [InlineData(MessageKind.Binary, 126)]
    [InlineData(MessageKind.Binary, 65535)]
    [InlineData(MessageKind.Text, 65536)]
    public void AMessagesHeaderWrittenApartIsTheFramesOwnHead(MessageKind kind, int length)
    {
        using var session = new ProtocolSession(EndpointRole.Server);
        byte[] payload = new byte[length];
        var whole = new ArrayBufferWriter<byte>();
        session.WriteMessage(whole, kind, payload);

        Span<byte> header = stackalloc byte[14];
        Assert.True(session.TryWriteMessageHeader(header, kind, length, out int written));

        Assert.Equal(whole.WrittenCount - length, written);
        Assert.Equal(Hex.Format(whole.WrittenSpan[..written]), Hex.Format(header[..written]));
    }

    [Fact]
    public void AMessagesHeaderIsNotWrittenApartWhenThePayloadMustChange()
    {
        byte[] header = new byte[14];
        using var client = new ProtocolSession(EndpointRole.Client); // masks its payloads
        var deflating = new ProtocolOptions { Deflate = new WsServer.Protocol.Compression.DeflateParameters() };
        using var compressing = new ProtocolSession(EndpointRole.Server, deflating);

        Assert.False(client.TryWriteMessageHeader(header, MessageKind.Binary, 10, out int byClient));
        Assert.False(compressing.TryWriteMessageHeader(header, MessageKind.Binary, 1000, out int compressed));
        Assert.True(compressing.TryWriteMessageHeader(header, MessageKind.Binary, 10, out int underThreshold));

        Assert.Equal((0, 0, 2), (byClient, compressed, underThreshold));
    }

    [Fact]
    public void AMessagesHeaderIsRefusedAfterACloseOrWithoutRoom()
    {
        using var session = new ProtocolSession(EndpointRole.Server);
        Assert.Throws<ArgumentOutOfRangeException>(() => session.TryWriteMessageHeader(new byte[13], MessageKind.Text, 1, out _));

        session.WriteClose(new ArrayBufferWriter<byte>());

        Assert.Throws<InvalidOperationException>(() => session.TryWriteMessageHeader(new byte[14], MessageKind.Text, 1, out _));
    }
}
