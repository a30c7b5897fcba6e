using System.Buffers;
using System.IO.Compression;
using System.Text;
using WsServer.Protocol.Closing;
using WsServer.Protocol.Compression;
using WsServer.Protocol.Framing;
using WsServer.Protocol.Messages;
using WsServer.Protocol.Session;
using WsServer.Protocol.Tests.TestSupport;

namespace WsServer.Protocol.Tests.Compression;

/// <summary>RFC 7692 §6 and §7.2 in a session: RSV1, inflation between unmasking and UTF-8
/// validation, the size limit on the inflated size, and compression on the way out.</summary>
public class ProtocolSessionCompressionTests
{
    private const uint Key = 0x37fa213d;
    private static readonly ProtocolOptions Negotiated = new() { Deflate = new DeflateParameters() };

    /// <summary>Compressed by the BCL (an independent DEFLATE encoder), tail removed.</summary>
    private static byte[] Deflate(byte[] message)
    {
        using var buffer = new MemoryStream();
        using (var deflate = new DeflateStream(buffer, CompressionLevel.Optimal, leaveOpen: true))
        {
            deflate.Write(message);
            deflate.Flush();
        }
        byte[] bytes = buffer.ToArray();
        int end = bytes.AsSpan().LastIndexOf(PayloadInflater.FlushTail);
        return bytes[..end];
    }

    [Fact]
    public void Rfc7692_7_2_3_1_ReadsTheFragmentedCompressedHello()
    {
        foreach (SessionOutcome outcome in SessionDriver.EveryWay(EndpointRole.Client, Hex.Parse("41 03 f2 48 cd 80 04 c9 c9 07 00"), Negotiated))
        {
            RecordedEvent message = Assert.Single(outcome.Events);
            Assert.Equal("Hello", message.Text);
            Assert.Equal(MessageKind.Text, message.MessageKind);
        }
    }

    [Fact]
    public void Rfc7692_6_ReadsAMaskedCompressedMessageOverEverySplit()
    {
        byte[] text = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat("compress me, 日本語. ", 20)));
        byte[] frame = Frames.Text(Deflate(text)).Reserved(4).Masked(Key).ToArray();

        foreach (SessionOutcome outcome in SessionDriver.EveryWay(EndpointRole.Server, frame, Negotiated))
            Assert.Equal(text, Assert.Single(outcome.Events).Payload);
    }

    [Fact]
    public void Rfc6455_5_2_Rsv1WithoutNegotiationFailsWith1002() =>
        SessionDriver.AssertFails(EndpointRole.Server, Frames.Text(Deflate("Hello"u8.ToArray())).Reserved(4).Masked(Key).ToArray(),
            CloseCode.ProtocolError);

    [Fact]
    public void Rfc7692_6_1_Rsv1OnAContinuationFailsWith1002() =>
        SessionDriver.AssertFails(EndpointRole.Server, Frames.Concat(
            Frames.Text(Hex.Parse("f2 48 cd")).Reserved(4).NotFinal().Masked(Key),
            Frames.Continuation(Hex.Parse("c9 c9 07 00")).Reserved(4).Masked(Key)), CloseCode.ProtocolError, Negotiated);

    [Fact]
    public void Rfc7692_6_1_Rsv1OnAControlFrameFailsWith1002() =>
        SessionDriver.AssertFails(EndpointRole.Server, Frames.Ping("x").Reserved(4).Masked(Key).ToArray(), CloseCode.ProtocolError, Negotiated);

    [Fact]
    public void Rfc7692_7_2_2_InvalidDeflateDataFailsWith1007() =>
        SessionDriver.AssertFails(EndpointRole.Server, Frames.Binary([0xff, 0xff, 0xff]).Reserved(4).Masked(Key).ToArray(),
            CloseCode.InvalidPayloadData, Negotiated);

    [Fact]
    public void Rfc6455_10_4_SizeLimitAppliesToTheInflatedSizeAndStopsABombEarly()
    {
        byte[] bomb = Deflate(new byte[64 * 1024 * 1024]);
        byte[] frame = Frames.Binary(bomb).Reserved(4).Masked(Key).ToArray();
        using var session = new ProtocolSession(EndpointRole.Server, Negotiated with { MaxMessageSize = 1024 * 1024 });

        // A sixteenth of the frame: the limit is passed long before the rest arrives.
        SessionOutcome outcome = SessionDriver.Arriving(session, [frame[..(frame.Length / 16)]]);

        RecordedEvent violation = Assert.Single(outcome.Events);
        Assert.Equal(CloseCode.MessageTooBig, violation.Code);
        Assert.Equal(0, session.BufferedBytesCapacity);
    }

    [Fact]
    public void Rfc6455_10_4_EndlessFragmentsThatInflateToNothingFailWith1009()
    {
        // An empty non-final stored block (RFC 1951 §3.2.4) inflates to nothing: 25 of them per fragment.
        byte[] nothing = [.. Enumerable.Repeat<byte[]>([0x00, 0x00, 0x00, 0xff, 0xff], 25).SelectMany(b => b)];
        var frames = new List<byte[]> { Frames.Binary(nothing).Reserved(4).NotFinal().Masked(Key).ToArray() };
        for (int i = 0; i < 40; i++) frames.Add(Frames.Continuation(nothing).NotFinal().Masked(Key).ToArray());
        using var session = new ProtocolSession(EndpointRole.Server, Negotiated with { MaxMessageSize = 1000 });

        SessionOutcome outcome = SessionDriver.Arriving(session, [.. frames]);

        // 1000 bytes, an eighth more for deflate's overhead and 1 KiB: the 18th fragment is one too many.
        Assert.Equal(CloseCode.MessageTooBig, Assert.Single(outcome.Events).Code);
    }

    [Fact]
    public void Rfc6455_8_1_InvalidUtf8FailsAsSoonAsItIsInflatedMidFrame()
    {
        byte[] text = [.. Encoding.ASCII.GetBytes(new string('a', 100)), 0xC0, 0x80, .. Encoding.ASCII.GetBytes(new string('b', 100_000))];
        byte[] frame = Frames.Text(Deflate(text)).Reserved(4).Masked(Key).ToArray();
        using var session = new ProtocolSession(EndpointRole.Server, Negotiated);

        SessionOutcome outcome = SessionDriver.Arriving(session, [frame[..40]]);

        Assert.Equal(CloseCode.InvalidPayloadData, Assert.Single(outcome.Events).Code);
    }

    [Theory]
    [InlineData(false, false)]
    [InlineData(true, true)]
    [InlineData(true, false)]
    public void Rfc7692_7_2_RoundTripsClientToServerWithAndWithoutContextTakeover(bool serverNoTakeover, bool clientNoTakeover)
    {
        var options = new ProtocolOptions { Deflate = new DeflateParameters(serverNoTakeover, clientNoTakeover, 12, 10) };
        using var client = new ProtocolSession(EndpointRole.Client, options);
        using var server = new ProtocolSession(EndpointRole.Server, options);
        byte[][] messages = [.. Enumerable.Range(0, 5).Select(i => Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat($"message {i} ", 50 * i + 10))))];
        var wire = new ArrayBufferWriter<byte>();
        foreach (byte[] message in messages) client.WriteMessage(wire, MessageKind.Text, message);

        var events = new List<RecordedEvent>();
        SessionDriver.Drain(server, new ReadOnlySequence<byte>(wire.WrittenMemory), new ArrayBufferWriter<byte>(), events);

        Assert.Equal(messages, events.Select(e => e.Payload));
        Assert.Equal(!clientNoTakeover, client.HoldsCompressionState);
        Assert.Equal(!clientNoTakeover, server.HoldsCompressionState);
    }

    [Fact]
    public void Rfc7692_6_CompressedMessagesHaveRsv1AndShortOnesGoPlain()
    {
        using var server = new ProtocolSession(EndpointRole.Server, Negotiated);
        var wire = new ArrayBufferWriter<byte>();

        server.WriteMessage(wire, MessageKind.Text, "short"u8);
        int plain = wire.WrittenCount;
        server.WriteMessage(wire, MessageKind.Text, Encoding.ASCII.GetBytes(new string('x', 1000)));

        Assert.Equal(0x81, wire.WrittenSpan[0]);
        Assert.Equal(0xC1, wire.WrittenSpan[plain]);
        Assert.True(wire.WrittenCount - plain < 100);
        List<RecordedEvent> read = SessionDriver.ReadBack(EndpointRole.Server, wire.WrittenSpan.ToArray(), Negotiated);
        Assert.Equal(["short", new string('x', 1000)], read.Select(e => e.Text));
    }

    [Fact]
    public void IdleSessionHoldsNoCompressionStateUntilTheFirstCompressedMessage()
    {
        using var session = new ProtocolSession(EndpointRole.Server, Negotiated);

        SessionDriver.Arriving(session, [Frames.Text("plain").Masked(Key).ToArray()]);

        Assert.False(session.HoldsCompressionState);
    }
}
