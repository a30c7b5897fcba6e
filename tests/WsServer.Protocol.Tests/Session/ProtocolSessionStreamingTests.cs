using System.Buffers;
using System.IO.Compression;
using System.Text;
using WsServer.Protocol.Closing;
using WsServer.Protocol.Compression;
using WsServer.Protocol.Framing;
using WsServer.Protocol.Messages;
using WsServer.Protocol.Session;
using WsServer.Protocol.Tests.TestSupport;

namespace WsServer.Protocol.Tests.Session;

/// <summary>RFC 6455 §5.4 (fragmentation) and §8.1 (UTF-8), RFC 7692 §7.2.2, for a session that reads messages
/// in parts as they arrive (<see cref="ProtocolOptions.StreamMessages"/>): nothing assembled, each part
/// bounded, control frames answered between fragments.</summary>
public class ProtocolSessionStreamingTests
{
    private const uint Key = 0x37fa213d;
    private static readonly ProtocolOptions Streaming = new() { StreamMessages = true };
    private static readonly ProtocolOptions StreamingDeflate = new() { StreamMessages = true, Deflate = new DeflateParameters() };

    private static byte[] Joined(IEnumerable<RecordedEvent> events) =>
        events.Where(e => e.Kind is ProtocolEventKind.MessagePart or ProtocolEventKind.Message).SelectMany(e => e.Payload).ToArray();

    [Fact]
    public void Rfc6455_5_4_PartsOfAFragmentedMessageWithAPingBetweenMakeTheMessageOverEveryArrival()
    {
        byte[] bytes = Frames.Concat(
            Frames.Text("Hello, ").NotFinal().Masked(Key),
            Frames.Ping("p").Masked(Key),
            Frames.Continuation("日本").NotFinal().Masked(Key),
            Frames.Continuation("語").Masked(Key));

        foreach (SessionOutcome outcome in SessionDriver.EveryWay(EndpointRole.Server, bytes, Streaming))
        {
            Assert.Equal("Hello, 日本語", Encoding.UTF8.GetString(Joined(outcome.Events)));
            Assert.Equal(ProtocolEventKind.Message, outcome.Events[^1].Kind);
            Assert.All(outcome.Events.Where(e => e.Kind == ProtocolEventKind.MessagePart), e => Assert.Equal(MessageKind.Text, e.MessageKind));
            // §5.5.2: the ping between fragments is answered.
            Assert.Equal("p", Assert.Single(SessionDriver.ReadBack(EndpointRole.Server, outcome.Replies)).Text);
        }
    }

    [Fact]
    public void Rfc6455_5_4_APartIsHandedOutBeforeTheFinalFrameArrives()
    {
        byte[] first = Frames.Binary([1, 2, 3]).NotFinal().Masked(Key).ToArray();
        byte[] half = Frames.Continuation(new byte[10]).Masked(Key).ToArray()[..9]; // header and 3 of 10 bytes

        SessionOutcome outcome = SessionDriver.Arriving(EndpointRole.Server, Streaming, [first, half]);

        Assert.All(outcome.Events, e => Assert.Equal(ProtocolEventKind.MessagePart, e.Kind));
        Assert.Equal(new byte[] { 1, 2, 3, 0, 0, 0 }, Joined(outcome.Events));
    }

    [Fact]
    public void ALargeMessageComesInPartsOfAtMost64KiBAndIsNotAssembled()
    {
        byte[] payload = new byte[300_000];
        Random.Shared.NextBytes(payload);
        byte[] frame = Frames.Binary(payload).Masked(Key).ToArray();
        using var session = new ProtocolSession(EndpointRole.Server, Streaming with { MaxMessageSize = payload.Length });
        var input = new ReadOnlySequence<byte>(frame);
        var parts = new List<byte[]>();
        int mostHeld = 0;
        while (session.TryReadEvent(ref input, new ArrayBufferWriter<byte>(), out ProtocolEvent evt) == OperationStatus.Done)
        {
            parts.Add(evt.Payload.ToArray());
            mostHeld = Math.Max(mostHeld, session.BufferedBytesCapacity);
            if (evt.Kind == ProtocolEventKind.Message) break;
        }

        Assert.Equal(payload, parts.SelectMany(p => p).ToArray());
        Assert.All(parts, p => Assert.InRange(p.Length, 0, MessageParts.PartSize));
        Assert.InRange(mostHeld, 1, 2 * MessageParts.PartSize);
    }

    [Fact]
    public void AStreamedMessageMayBeLargerThanAnArray()
    {
        var options = Streaming with { MaxMessageSize = 8L << 30 };
        byte[] header = Frames.Binary([]).Announcing(3UL << 30).ToArray(); // unmasked: a client-role session
        SessionOutcome outcome = SessionDriver.Arriving(EndpointRole.Client, options, [header, new byte[100]]);

        RecordedEvent part = Assert.Single(outcome.Events);
        Assert.Equal(ProtocolEventKind.MessagePart, part.Kind);
        Assert.Equal(100, part.Payload.Length);
    }

    [Fact]
    public void Rfc6455_8_1_InvalidUtf8FailsWith1007AtTheInvalidByteBeforeTheMessageEnds()
    {
        byte[] frame = Frames.Text([.. "valid "u8, 0xFF, .. new byte[1000]]).Masked(Key).ToArray();
        SessionOutcome outcome = SessionDriver.Arriving(EndpointRole.Server, Streaming, [frame[..20]]);

        Assert.Equal(ProtocolEventKind.Violation, outcome.Events[^1].Kind);
        Assert.Equal(CloseCode.InvalidPayloadData, outcome.Events[^1].Code);
        SessionDriver.AssertSentClose(EndpointRole.Server, outcome.Replies, CloseCode.InvalidPayloadData);
    }

    [Fact]
    public void Rfc6455_5_4_AContinuationWithoutAMessageFailsWith1002() =>
        SessionDriver.AssertFails(EndpointRole.Server, Frames.Continuation("x").Masked(Key).ToArray(), CloseCode.ProtocolError, Streaming);

    [Fact]
    public void Rfc7692_7_2_2_ACompressedMessageIsInflatedInBoundedPartsOverEverySplitOfItsFrames()
    {
        byte[] text = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat("streamed and compressed, 日本語. ", 20_000)));
        byte[] compressed = Deflate(text);
        int cut = compressed.Length / 3;
        byte[] bytes = Frames.Concat(
            Frames.Text(compressed[..cut]).Reserved(4).NotFinal().Masked(Key),
            Frames.Ping().Masked(Key),
            Frames.Continuation(compressed[cut..]).Masked(Key));
        var options = StreamingDeflate with { MaxMessageSize = text.Length };

        foreach (int chunk in new[] { bytes.Length, 1000, 7 })
        {
            byte[][] chunks = bytes.Chunk(chunk).ToArray();
            SessionOutcome outcome = SessionDriver.Arriving(EndpointRole.Server, options, chunks);
            Assert.Equal(text, Joined(outcome.Events));
            Assert.All(outcome.Events, e => Assert.InRange(e.Payload.Length, 0, MessageParts.PartSize));
            Assert.Equal(ProtocolEventKind.Message, outcome.Events[^1].Kind);
        }
    }

    [Fact]
    public void Rfc7692_ACompressedStreamedMessageThatInflatesPastTheLimitFailsWith1009()
    {
        byte[] compressed = Deflate(new byte[200_000]);
        byte[] frame = Frames.Binary(compressed).Reserved(4).Masked(Key).ToArray();
        SessionDriver.AssertFails(EndpointRole.Server, frame, CloseCode.MessageTooBig, StreamingDeflate with { MaxMessageSize = 100_000 });
    }

    [Fact]
    public void Rfc6455_5_4_PartsWrittenOneByOneAreOneMessageWithContinuationsAndFinOnTheLast()
    {
        using var session = new ProtocolSession(EndpointRole.Client);
        var output = new ArrayBufferWriter<byte>();
        session.WriteMessagePart(output, MessageKind.Text, "Hel"u8, first: true, last: false);
        session.WritePing(output, "between"u8);
        session.WriteMessagePart(output, MessageKind.Text, "lo"u8, first: false, last: false);
        session.WriteMessagePart(output, MessageKind.Text, [], first: false, last: true);

        byte[] sent = output.WrittenSpan.ToArray();
        Assert.Equal(0x01, sent[0]); // FIN clear, Text
        List<RecordedEvent> read = SessionDriver.ReadBack(EndpointRole.Client, sent);
        Assert.Equal([ProtocolEventKind.Ping, ProtocolEventKind.Message], read.Select(e => e.Kind));
        Assert.Equal("Hello", read[1].Text);
    }

    /// <summary>Compressed by the BCL, tail removed.</summary>
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
}
