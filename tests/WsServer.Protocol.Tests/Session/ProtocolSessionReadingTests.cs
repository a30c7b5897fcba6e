using System.Buffers;
using System.Runtime.InteropServices;
using System.Text;
using WsServer.Protocol.Closing;
using WsServer.Protocol.Compression;
using WsServer.Protocol.Framing;
using WsServer.Protocol.Messages;
using WsServer.Protocol.Session;
using WsServer.Protocol.Tests.TestSupport;

namespace WsServer.Protocol.Tests.Session;

/// <summary>RFC 6455 §5.4 Fragmentation, §5.6 Data Frames and the §5.7 examples, read by a session
/// over every way the bytes may arrive.</summary>
public class ProtocolSessionReadingTests
{
    private const uint Key = 0x37fa213d;

    private static void AssertMessages(EndpointRole role, byte[] bytes, params (MessageKind Kind, byte[] Payload)[] expected)
    {
        foreach (SessionOutcome outcome in SessionDriver.EveryWay(role, bytes))
        {
            List<RecordedEvent> messages = outcome.Events.Where(e => e.Kind == ProtocolEventKind.Message).ToList();
            Assert.True(expected.Length == messages.Count, outcome.How);
            for (int i = 0; i < expected.Length; i++)
            {
                Assert.Equal(expected[i].Kind, messages[i].MessageKind);
                Assert.Equal(expected[i].Payload, messages[i].Payload);
            }

            Assert.Empty(outcome.Unconsumed);
        }
    }

    [Fact]
    public void ReadsTheUnmaskedHelloExampleAsAClient() =>
        AssertMessages(EndpointRole.Client, Hex.Parse("81 05 48 65 6c 6c 6f"), (MessageKind.Text, "Hello"u8.ToArray()));

    [Fact]
    public void ReadsTheMaskedHelloExampleAsAServer() =>
        AssertMessages(EndpointRole.Server, Hex.Parse("81 85 37 fa 21 3d 7f 9f 4d 51 58"), (MessageKind.Text, "Hello"u8.ToArray()));

    [Fact]
    public void ReadsTheFragmentedHelloExample() =>
        AssertMessages(EndpointRole.Client, Hex.Parse("01 03 48 65 6c 80 02 6c 6f"), (MessageKind.Text, "Hello"u8.ToArray()));

    [Fact]
    public void Reads256BytesWithA16BitLength()
    {
        byte[] payload = Enumerable.Range(0, 256).Select(i => (byte)i).ToArray();

        AssertMessages(EndpointRole.Client, [.. Hex.Parse("82 7E 0100"), .. payload], (MessageKind.Binary, payload));
    }

    [Fact]
    public void Reads64KiBWithA64BitLength()
    {
        byte[] payload = Enumerable.Range(0, 65536).Select(i => (byte)(i * 13)).ToArray();
        byte[] frame = [.. Hex.Parse("82 7F 0000000000010000"), .. payload];

        // Every split of 64 KiB would be slow and teaches nothing new: a few splits and a pipe-like arrival.
        foreach (int split in new[] { 1, 2, 9, 10, 11, 4096, 65545 })
        {
            SessionOutcome outcome = SessionDriver.Arriving(EndpointRole.Client, null, [frame[..split], frame[split..]]);
            Assert.Equal(payload, Assert.Single(outcome.Events).Payload);
        }

        SessionOutcome chunked = SessionDriver.Arriving(EndpointRole.Client, null, frame.Chunk(1000).ToArray());
        Assert.Equal(payload, Assert.Single(chunked.Events).Payload);
    }

    [Fact]
    public void ReadsAMaskedMessageFragmentedAcrossFramesWithDifferentKeys() =>
        AssertMessages(EndpointRole.Server,
            Frames.Concat(
                Frames.Binary([1, 2, 3, 4, 5]).NotFinal().Masked(0x01020304),
                Frames.Continuation([6, 7]).NotFinal().Masked(0xa0b0c0d0),
                Frames.Continuation([8, 9, 10]).Masked(0xffffffff)),
            (MessageKind.Binary, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]));

    [Fact]
    public void ControlFramesMayComeBetweenFragments()
    {
        byte[] bytes = Frames.Concat(
            Frames.Text("Hel").NotFinal().Masked(Key),
            Frames.Ping("p").Masked(Key),
            Frames.Continuation("lo").Masked(Key));

        foreach (SessionOutcome outcome in SessionDriver.EveryWay(EndpointRole.Server, bytes))
        {
            Assert.Equal([ProtocolEventKind.Ping, ProtocolEventKind.Message], outcome.Events.Select(e => e.Kind));
            Assert.Equal("Hello", outcome.Events[1].Text);
            Assert.Equal(Frames.Pong("p").ToArray(), outcome.Replies);
        }
    }

    [Fact]
    public void EmptyMessagesAreDelivered() =>
        AssertMessages(EndpointRole.Server,
            Frames.Concat(Frames.Text("").Masked(Key), Frames.Binary([]).Masked(Key)),
            (MessageKind.Text, []), (MessageKind.Binary, []));

    [Fact]
    public void IncompleteHeaderConsumesNothing()
    {
        byte[] frame = Frames.Binary(new byte[300]).Masked(Key).ToArray();
        for (int length = 1; length < 8; length++)
        {
            SessionOutcome outcome = SessionDriver.Arriving(EndpointRole.Server, null, [frame[..length]]);
            Assert.Empty(outcome.Events);
            Assert.Equal(frame[..length], outcome.Unconsumed);
        }
    }

    [Fact]
    public void PartialPayloadIsConsumed()
    {
        byte[] frame = Frames.Binary(new byte[300]).Masked(Key).ToArray();

        SessionOutcome outcome = SessionDriver.Arriving(EndpointRole.Server, null, [frame[..50]]);

        Assert.Empty(outcome.Events);
        Assert.Empty(outcome.Unconsumed);
    }

    [Fact]
    public void OnlyTheNextIncompleteHeaderIsLeftAfterAMessage()
    {
        byte[] bytes = [.. Frames.Text("Hello").Masked(Key).ToArray(), 0x81, 0x85, 0x37];

        foreach (SessionOutcome outcome in SessionDriver.EveryWay(EndpointRole.Server, bytes))
        {
            Assert.Single(outcome.Events);
            Assert.Equal(Hex.Parse("81 85 37"), outcome.Unconsumed);
        }
    }

    [Fact]
    public void ContinuationWithNothingToContinueFailsWithProtocolError() =>
        SessionDriver.AssertFails(EndpointRole.Server, Frames.Continuation("lo").Masked(Key).ToArray(), CloseCode.ProtocolError);

    [Fact]
    public void ContinuationAfterACompleteMessageFailsWithProtocolError() =>
        SessionDriver.AssertFails(EndpointRole.Server,
            Frames.Concat(Frames.Text("Hel").Masked(Key), Frames.Continuation("lo").Masked(Key)), CloseCode.ProtocolError);

    [Fact]
    public void NewMessageWhileAFragmentedOneIsOpenFailsWithProtocolError() =>
        SessionDriver.AssertFails(EndpointRole.Server,
            Frames.Concat(Frames.Text("Hel").NotFinal().Masked(Key), Frames.Binary([1]).Masked(Key)), CloseCode.ProtocolError);

    [Fact]
    public void FrameViolationsFailTheSessionWithTheCloseFrameInReplies()
    {
        SessionDriver.AssertFails(EndpointRole.Server, Frames.Text("Hello").ToArray(), CloseCode.ProtocolError);
        SessionDriver.AssertFails(EndpointRole.Client, Frames.Text("Hello").Masked(Key).ToArray(), CloseCode.ProtocolError);
        SessionDriver.AssertFails(EndpointRole.Server, Frames.Text("x").Reserved(4).Masked(Key).ToArray(), CloseCode.ProtocolError);
        SessionDriver.AssertFails(EndpointRole.Server, Frames.Raw((Opcode)3, []).Masked(Key).ToArray(), CloseCode.ProtocolError);
        SessionDriver.AssertFails(EndpointRole.Server, Frames.Ping("x").NotFinal().Masked(Key).ToArray(), CloseCode.ProtocolError);
        SessionDriver.AssertFails(EndpointRole.Server, Frames.Raw(Opcode.Pong, new byte[126]).Masked(Key).ToArray(), CloseCode.ProtocolError);
        SessionDriver.AssertFails(EndpointRole.Client, Hex.Parse("82 7F 8000000000000000"), CloseCode.ProtocolError);
    }

    [Fact]
    public void FrameOverTheMessageSizeFailsWithMessageTooBigBeforeItsPayload() =>
        SessionDriver.AssertFails(EndpointRole.Server, Frames.Binary(new byte[101]).Masked(Key).Header(), CloseCode.MessageTooBig,
            new ProtocolOptions { MaxMessageSize = 100 });

    [Fact]
    public void FragmentsOverTheMessageSizeTogetherFailWithMessageTooBig() =>
        SessionDriver.AssertFails(EndpointRole.Server,
            Frames.Concat(
                Frames.Binary(new byte[60]).NotFinal().Masked(Key),
                Frames.Ping().Masked(Key),
                Frames.Continuation(new byte[41]).Masked(Key)),
            CloseCode.MessageTooBig, new ProtocolOptions { MaxMessageSize = 100 });

    [Fact]
    public void MessageOfExactlyTheMaximumSizeIsAccepted() =>
        Assert.All(SessionDriver.EveryWay(EndpointRole.Server,
                Frames.Concat(Frames.Binary(new byte[60]).NotFinal().Masked(Key), Frames.Continuation(new byte[40]).Masked(Key)),
                new ProtocolOptions { MaxMessageSize = 100 }),
            outcome => Assert.Equal(100, Assert.Single(outcome.Events).Payload.Length));

    [Fact]
    public void InvalidUtf8FailsBeforeTheRestOfTheFrameArrives()
    {
        byte[] payload = [.. "Hello"u8, 0xed, 0xa0, 0x80, .. "abc"u8, .. new byte[89]];
        byte[] frame = Frames.Text(payload).Masked(Key).ToArray();
        byte[] header = Frames.Text(payload).Masked(Key).Header();

        SessionOutcome outcome = SessionDriver.Arriving(EndpointRole.Server, null, [frame[..(header.Length + 10)]]);

        RecordedEvent violation = Assert.Single(outcome.Events);
        Assert.Equal(CloseCode.InvalidPayloadData, violation.Code);
        SessionDriver.AssertSentClose(EndpointRole.Server, outcome.Replies, CloseCode.InvalidPayloadData);
    }

    [Theory]
    [InlineData("c0 af")]
    [InlineData("e0 80 af")]
    [InlineData("ed a0 80")]
    [InlineData("f4 90 80 80")]
    [InlineData("ce ba e1 bd b9 cf 83 ce bc ce b5 ed a0 80 65 64 69 74 65 64")]
    public void InvalidUtf8TextFailsWithInvalidPayloadData(string hex) =>
        SessionDriver.AssertFails(EndpointRole.Server, Frames.Text(Hex.Parse(hex)).Masked(Key).ToArray(), CloseCode.InvalidPayloadData);

    [Fact]
    public void InvalidUtf8TextFailsWhateverItsBytesOnTheWireAre()
    {
        // Masked with this key, the overlong c0 80 is 00 00 on the wire, valid UTF-8: only the unmasked text counts.
        byte[] frame = Frames.Text(Hex.Parse("c0 80")).Masked(0xC0800000).ToArray();
        Assert.Equal(Hex.Parse("00 00"), frame[^2..]);

        SessionDriver.AssertFails(EndpointRole.Server, frame, CloseCode.InvalidPayloadData);
    }

    [Fact]
    public void ASmallMessageOverTheLimitFailsWithMessageTooBig() =>
        SessionDriver.AssertFails(EndpointRole.Server, Frames.Binary(new byte[11]).Masked(Key).ToArray(), CloseCode.MessageTooBig,
            new ProtocolOptions { MaxMessageSize = 10 });

    [Fact]
    public void AWholeMessageInANewReadWhileAnotherIsInFragmentsFailsWithProtocolError()
    {
        using var session = new ProtocolSession(EndpointRole.Server, new ProtocolOptions { ReadMessagesInPlace = true });
        var replies = new ArrayBufferWriter<byte>();
        var fragment = new ReadOnlySequence<byte>(Frames.Text("ab").NotFinal().Masked(Key).ToArray());
        var whole = new ReadOnlySequence<byte>(Frames.Text("c").Masked(Key).ToArray());

        Assert.Equal(OperationStatus.NeedMoreData, session.TryReadEvent(ref fragment, replies, out _));
        Assert.Equal(OperationStatus.InvalidData, session.TryReadEvent(ref whole, replies, out ProtocolEvent evt));

        // §5.4: the fragments of one message must not be interleaved with another.
        Assert.Equal(CloseCode.ProtocolError, evt.CloseCode);
    }

    [Fact]
    public void PayloadBytesThatLookLikeAFrameAreReadAsPayload()
    {
        // On the wire a ping's payload is 82 80 00 00 00 00, a masked empty binary frame, arriving after its header.
        byte[] wire = [0x82, 0x80, 0, 0, 0, 0];
        byte[] payload = [.. wire.Select((b, i) => (byte)(b ^ (byte)(Key >> (24 - 8 * (i % 4)))))];
        byte[] frame = Frames.Raw(Opcode.Ping, payload).Masked(Key).ToArray();
        Assert.Equal(wire, frame[^6..]);
        using var session = new ProtocolSession(EndpointRole.Server, new ProtocolOptions { ReadMessagesInPlace = true });
        var replies = new ArrayBufferWriter<byte>();
        var header = new ReadOnlySequence<byte>(frame[..6]);
        var rest = new ReadOnlySequence<byte>(frame[6..]);

        Assert.Equal(OperationStatus.NeedMoreData, session.TryReadEvent(ref header, replies, out _));
        Assert.Equal(OperationStatus.Done, session.TryReadEvent(ref rest, replies, out ProtocolEvent evt));

        Assert.Equal(ProtocolEventKind.Ping, evt.Kind);
        Assert.Equal(payload, evt.Payload.ToArray());
        Assert.True(rest.IsEmpty);
    }

    [Fact]
    public void TextEndingInsideACharacterFailsWithInvalidPayloadData() =>
        SessionDriver.AssertFails(EndpointRole.Server,
            Frames.Concat(Frames.Text("€").NotFinal().Masked(Key), Frames.Continuation(Hex.Parse("e2 82")).Masked(Key)),
            CloseCode.InvalidPayloadData);

    [Fact]
    public void InvalidUtf8InBinaryIsNotChecked() =>
        AssertMessages(EndpointRole.Server, Frames.Binary(Hex.Parse("ed a0 80")).Masked(Key).ToArray(),
            (MessageKind.Binary, Hex.Parse("ed a0 80")));

    [Fact]
    public void FourByteCharacterSplitAcrossFragmentsAtEveryByteIsValid()
    {
        byte[] grin = Hex.Parse("f0 9f 98 80");
        for (int split = 0; split <= 4; split++)
        {
            byte[] bytes = Frames.Concat(
                Frames.Text(grin[..split]).NotFinal().Masked(Key),
                Frames.Continuation(grin[split..]).Masked(Key));
            AssertMessages(EndpointRole.Server, bytes, (MessageKind.Text, grin));
        }
    }

    [Fact]
    public void SessionAfterAMessageHoldsNoAssemblyBuffer()
    {
        using var session = new ProtocolSession(EndpointRole.Server);
        var replies = new ArrayBufferWriter<byte>();
        var input = new ReadOnlySequence<byte>(Frames.Binary(new byte[1000]).Masked(Key).ToArray());

        Assert.Equal(OperationStatus.Done, session.TryReadEvent(ref input, replies, out ProtocolEvent evt));
        Assert.Equal(1000, evt.Payload.Length);
        Assert.True(session.BufferedBytesCapacity >= 1000);

        Assert.Equal(OperationStatus.NeedMoreData, session.TryReadEvent(ref input, replies, out _));
        Assert.Equal(0, session.BufferedBytesCapacity);
    }

    [Fact]
    public void AMessageInOneFrameIsReadInPlaceWhenAllowed()
    {
        using var session = new ProtocolSession(EndpointRole.Server, new ProtocolOptions { ReadMessagesInPlace = true });
        byte[] wire = Hex.Parse("81 85 37 fa 21 3d 7f 9f 4d 51 58");
        var input = new ReadOnlySequence<byte>(wire);

        Assert.Equal(OperationStatus.Done, session.TryReadEvent(ref input, new ArrayBufferWriter<byte>(), out ProtocolEvent evt));

        // Unmasked where it lay, and handed out from there: no buffer of the session's holds it.
        Assert.Equal("Hello"u8.ToArray(), wire[6..]);
        Assert.True(MemoryMarshal.TryGetArray(evt.Payload, out ArraySegment<byte> lies));
        Assert.Same(wire, lies.Array);
        Assert.Equal(6, lies.Offset);
        Assert.Equal(0, session.BufferedBytesCapacity);
    }

    [Fact]
    public void MessagesAreReadInPlaceFromPartOfAnArrayAndFromSegmentsAlike()
    {
        byte[] hello = Hex.Parse("81 85 37 fa 21 3d 7f 9f 4d 51 58");
        byte[] wire = [0xEE, 0xEE, .. hello, .. hello, 0xEE];
        ReadOnlySequence<byte> partOfArray = new(wire, 2, hello.Length * 2);
        byte[] first = hello.ToArray(), second = hello.ToArray();
        ReadOnlySequence<byte> segments = SegmentedSequence.Create(first, second);

        foreach ((ReadOnlySequence<byte> input, byte[] firstArray, int firstOffset, byte[] secondArray, int secondOffset) in
            new[] { (partOfArray, wire, 8, wire, 19), (segments, first, 6, second, 6) })
        {
            using var session = new ProtocolSession(EndpointRole.Server, new ProtocolOptions { ReadMessagesInPlace = true });
            ReadOnlySequence<byte> unread = input;

            Assert.Equal(OperationStatus.Done, session.TryReadEvent(ref unread, new ArrayBufferWriter<byte>(), out ProtocolEvent one));
            Assert.Equal(input.GetPosition(hello.Length), unread.Start);
            Assert.Equal(input.End, unread.End);
            Assert.Equal(OperationStatus.Done, session.TryReadEvent(ref unread, new ArrayBufferWriter<byte>(), out ProtocolEvent two));
            Assert.True(unread.IsEmpty);

            foreach ((ProtocolEvent evt, byte[] array, int offset) in new[] { (one, firstArray, firstOffset), (two, secondArray, secondOffset) })
            {
                Assert.Equal("Hello", Encoding.UTF8.GetString(evt.Payload.Span));
                Assert.True(MemoryMarshal.TryGetArray(evt.Payload, out ArraySegment<byte> lies));
                Assert.Same(array, lies.Array);
                Assert.Equal(offset, lies.Offset);
            }
        }
        Assert.Equal(0xEE, wire[^1]); // the bytes past the input's end are not touched
    }

    [Fact]
    public void InputIsOnlyReadUnlessReadingInPlaceIsAllowed()
    {
        using var session = new ProtocolSession(EndpointRole.Server);
        byte[] wire = Hex.Parse("81 85 37 fa 21 3d 7f 9f 4d 51 58");
        var input = new ReadOnlySequence<byte>(wire);

        Assert.Equal(OperationStatus.Done, session.TryReadEvent(ref input, new ArrayBufferWriter<byte>(), out ProtocolEvent evt));

        Assert.Equal("Hello"u8.ToArray(), evt.Payload.ToArray());
        Assert.Equal(Hex.Parse("81 85 37 fa 21 3d 7f 9f 4d 51 58"), wire);
        Assert.True(MemoryMarshal.TryGetArray(evt.Payload, out ArraySegment<byte> lies));
        Assert.NotSame(wire, lies.Array);
    }

    [Fact]
    public void AMessageInPiecesOrInFragmentsIsAssembledEvenWhenReadingInPlaceIsAllowed()
    {
        var options = new ProtocolOptions { ReadMessagesInPlace = true };
        byte[] whole = Frames.Binary(new byte[1000]).Masked(Key).ToArray();
        byte[] fragmented = Frames.Concat(Frames.Binary([1, 2]).NotFinal().Masked(Key), Frames.Continuation([3]).Masked(Key));

        RecordedEvent split = Assert.Single(SessionDriver.Arriving(EndpointRole.Server, options, [whole[..500], whole[500..]]).Events);
        RecordedEvent joined = Assert.Single(SessionDriver.Arriving(EndpointRole.Server, options, [fragmented]).Events);

        Assert.Equal(new byte[1000], split.Payload);
        Assert.Equal(new byte[] { 1, 2, 3 }, joined.Payload);
    }

    [Fact]
    public void AMessageInOneFrameThatArrivesInPartsIsLeftUnreadUntilWholeThenReadInPlace()
    {
        using var session = new ProtocolSession(EndpointRole.Server, new ProtocolOptions { ReadMessagesInPlace = true, ReadWholeFramesUpTo = 1000 });
        byte[] wire = Frames.Binary([.. Enumerable.Range(0, 1000).Select(i => (byte)i)]).Masked(Key).ToArray();
        var replies = new ArrayBufferWriter<byte>();

        var part = new ReadOnlySequence<byte>(wire, 0, 600);
        Assert.Equal(OperationStatus.NeedMoreData, session.TryReadEvent(ref part, replies, out _));
        Assert.Equal(600, part.Length); // the header too: nothing is read
        Assert.Equal(0, session.BufferedBytesCapacity);

        var whole = new ReadOnlySequence<byte>(wire);
        Assert.Equal(OperationStatus.Done, session.TryReadEvent(ref whole, replies, out ProtocolEvent evt));
        Assert.True(whole.IsEmpty);
        Assert.True(MemoryMarshal.TryGetArray(evt.Payload, out ArraySegment<byte> lies));
        Assert.Same(wire, lies.Array);
        Assert.Equal(Enumerable.Range(0, 1000).Select(i => (byte)i), evt.Payload.ToArray());
        Assert.Equal(0, session.BufferedBytesCapacity);
    }

    [Fact]
    public void AFrameLargerThanTheLimitOrOneFragmentOfAMessageIsReadAsItArrives()
    {
        var options = new ProtocolOptions { ReadMessagesInPlace = true, ReadWholeFramesUpTo = 999 };
        byte[] large = Frames.Binary(new byte[1000]).Masked(Key).ToArray();
        byte[] fragment = Frames.Binary(new byte[100]).NotFinal().Masked(Key).ToArray();

        using var session = new ProtocolSession(EndpointRole.Server, options);
        var part = new ReadOnlySequence<byte>(large, 0, 600);
        Assert.Equal(OperationStatus.NeedMoreData, session.TryReadEvent(ref part, new ArrayBufferWriter<byte>(), out _));
        Assert.True(part.IsEmpty);
        Assert.True(session.BufferedBytesCapacity > 0);

        using var fragmented = new ProtocolSession(EndpointRole.Server, options);
        var first = new ReadOnlySequence<byte>(fragment, 0, 50);
        Assert.Equal(OperationStatus.NeedMoreData, fragmented.TryReadEvent(ref first, new ArrayBufferWriter<byte>(), out _));
        Assert.True(first.IsEmpty);
    }

    [Fact]
    public void AFrameOverTheLimitFailsAtItsHeaderEvenWhenSmallFramesAreReadWhole()
    {
        // With permessage-deflate the frame reader leaves the limit to the message: an uncompressed frame meets it there.
        var options = new ProtocolOptions
        {
            MaxMessageSize = 64, Deflate = new DeflateParameters(), ReadMessagesInPlace = true, ReadWholeFramesUpTo = 4096,
        };
        byte[] frame = Frames.Binary(new byte[300]).Masked(Key).ToArray();

        SessionOutcome outcome = SessionDriver.Arriving(EndpointRole.Server, options, [frame[..20]]);

        Assert.Equal(CloseCode.MessageTooBig, Assert.Single(outcome.Events).Code);
    }

    [Fact]
    public void TextLeftUnreadUntilWholeStillFailsAsSoonAsItsBytesAreNotUtf8()
    {
        var options = new ProtocolOptions { ReadMessagesInPlace = true, ReadWholeFramesUpTo = 1000 };
        // Valid so far: waits. Invalid so far (0xC0 never starts a character, §8.1): fails now, before the rest arrives.
        byte[] valid = Frames.Text([.. "héllo"u8, .. new byte[100]]).Masked(Key).ToArray();
        byte[] invalid = Frames.Text([.. "h"u8, 0xC0, 0x80, .. new byte[100]]).Masked(Key).ToArray();

        using var waiting = new ProtocolSession(EndpointRole.Server, options);
        var part = new ReadOnlySequence<byte>(valid, 0, 10);
        Assert.Equal(OperationStatus.NeedMoreData, waiting.TryReadEvent(ref part, new ArrayBufferWriter<byte>(), out _));
        Assert.Equal(10, part.Length);

        SessionOutcome failed = SessionDriver.Arriving(EndpointRole.Server, options, [invalid[..10]]);
        Assert.Equal(CloseCode.InvalidPayloadData, Assert.Single(failed.Events).Code);
    }

    [Fact]
    public void SessionClosedByThePeerHoldsNoAssemblyBufferOnceTheInputIsUsedUp()
    {
        using var session = new ProtocolSession(EndpointRole.Server);
        var replies = new ArrayBufferWriter<byte>();
        var input = new ReadOnlySequence<byte>(Frames.Concat(
            Frames.Binary(new byte[1000]).Masked(Key), Frames.Close(1000).Masked(Key), Frames.Binary([1, 2]).Masked(Key)));

        Assert.Equal(OperationStatus.Done, session.TryReadEvent(ref input, replies, out ProtocolEvent message));
        Assert.Equal(1000, message.Payload.Length);
        Assert.Equal(OperationStatus.Done, session.TryReadEvent(ref input, replies, out ProtocolEvent close));
        Assert.Equal(ProtocolEventKind.Close, close.Kind);

        // What follows the close is dropped, and the buffer the read's messages shared goes back.
        Assert.Equal(OperationStatus.NeedMoreData, session.TryReadEvent(ref input, replies, out _));
        Assert.True(input.IsEmpty);
        Assert.Equal(0, session.BufferedBytesCapacity);
    }

    [Fact]
    public void AHeaderAloneMakesTheSessionHoldAtMost64KiB()
    {
        using var session = new ProtocolSession(EndpointRole.Server);
        byte[] frame = Frames.Binary(new byte[1_000_000]).Masked(Key).ToArray();

        SessionDriver.Arriving(session, [frame[..20]]);

        Assert.InRange(session.BufferedBytesCapacity, 1, 64 * 1024);
    }

    [Fact]
    public void AFrameUpTo64KiBArrivingInPiecesIsReceivedIntoOneBuffer()
    {
        using var session = new ProtocolSession(EndpointRole.Server);
        byte[] frame = Frames.Binary(new byte[64 * 1024]).Masked(Key).ToArray();

        SessionDriver.Arriving(session, [frame[..100]]);
        int first = session.BufferedBytesCapacity;
        SessionDriver.Arriving(session, [frame[100..60_000]]);
        int later = session.BufferedBytesCapacity;
        SessionOutcome outcome = SessionDriver.Arriving(session, [frame[60_000..]]);

        Assert.Equal(64 * 1024, Assert.Single(outcome.Events).Payload.Length);
        Assert.True(first >= 64 * 1024, $"first chunk made a buffer of {first} bytes");
        Assert.Equal(first, later);
    }
}
