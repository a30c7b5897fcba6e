using System.Buffers;
using WsServer.Protocol.Closing;
using WsServer.Protocol.Framing;
using WsServer.Protocol.Messages;
using WsServer.Protocol.Session;
using WsServer.Protocol.Tests.TestSupport;

namespace WsServer.Protocol.Tests.Session;

/// <summary>Reading data without replies (<see cref="ProtocolSession.TryReadDataEvent"/>): data messages are
/// read as <see cref="ProtocolSession.TryReadEvent"/> reads them; whatever needs a reply or a change of state
/// (a control frame, a violation, anything after the peer's close) is left for the call with replies. Every
/// reading test reads its input this way too (<see cref="SessionDriver.EveryWay"/>), the usual small message
/// first (<see cref="ProtocolSession.TryReadSmallDataMessage"/>).</summary>
public sealed class ProtocolSessionDataReadingTests
{
    private const uint Key = 0x37fa213d;
    private static readonly ProtocolOptions InPlace = new() { ReadMessagesInPlace = true };

    [Fact]
    public void ASmallMessageInOneFrameIsReadWithoutAnEvent()
    {
        using var session = new ProtocolSession(EndpointRole.Server, InPlace);
        var input = new ReadOnlySequence<byte>(Frames.Concat(Frames.Binary([1, 2, 3]).Masked(Key), Frames.Text("héllo").Masked(Key)));

        Assert.True(session.TryReadSmallDataMessage(ref input, out MessageKind first, out ReadOnlyMemory<byte> bytes));
        Assert.Equal(MessageKind.Binary, first);
        Assert.Equal([1, 2, 3], bytes.ToArray()); // unmasked
        Assert.True(session.TryReadSmallDataMessage(ref input, out MessageKind second, out ReadOnlyMemory<byte> text));
        Assert.Equal(MessageKind.Text, second);
        Assert.Equal("héllo", System.Text.Encoding.UTF8.GetString(text.Span));
        Assert.True(input.IsEmpty);
        Assert.False(session.TryReadSmallDataMessage(ref input, out _, out _));
    }

    public static TheoryData<string, byte[]> NotTheUsualFrame => new()
    {
        { "a ping", Frames.Ping("p").Masked(Key).ToArray() },
        { "the first fragment of a message", Frames.Text("a").NotFinal().Masked(Key).ToArray() },
        { "126 bytes, with a 16-bit length", Frames.Binary(new byte[126]).Masked(Key).ToArray() },
        { "an unmasked client frame", Frames.Binary([1]).ToArray() },
        { "a reserved bit set", Frames.Binary([1]).Reserved(0x4).Masked(Key).ToArray() },
        { "text that is not UTF-8", Frames.Text([0xFF]).Masked(Key).ToArray() },
        { "a frame not all here", Frames.Binary([1, 2, 3]).Masked(Key).ToArray()[..7] },
    };

    [Theory]
    [MemberData(nameof(NotTheUsualFrame))]
    public void AnyOtherFrameIsLeftAsItWas(string frame, byte[] bytes)
    {
        using var session = new ProtocolSession(EndpointRole.Server, InPlace);
        var input = new ReadOnlySequence<byte>(bytes.ToArray());

        Assert.False(session.TryReadSmallDataMessage(ref input, out _, out _), frame);
        Assert.Equal(bytes, input.ToArray()); // unread, and masked as it came
    }

    [Fact]
    public void AfterThePeersCloseNoSmallMessageIsRead()
    {
        using var session = new ProtocolSession(EndpointRole.Server, InPlace);
        var input = new ReadOnlySequence<byte>(Frames.Concat(Frames.Close(1000).Masked(Key), Frames.Binary([1]).Masked(Key)));
        Assert.Equal(OperationStatus.Done, session.TryReadEvent(ref input, new ArrayBufferWriter<byte>(), out _));

        Assert.False(session.TryReadSmallDataMessage(ref input, out _, out _));
        Assert.False(input.IsEmpty);
    }

    [Fact]
    public void AKeptViolationComesBeforeTheNextSmallMessage()
    {
        using var session = new ProtocolSession(EndpointRole.Server, InPlace);
        byte[] notUtf8 = new byte[126]; // too long for the small path
        notUtf8[0] = 0xFF;
        var input = new ReadOnlySequence<byte>(Frames.Concat(Frames.Text(notUtf8).Masked(Key), Frames.Binary([1]).Masked(Key)));

        Assert.Equal(OperationStatus.DestinationTooSmall, session.TryReadDataEvent(ref input, out _));
        Assert.False(session.TryReadSmallDataMessage(ref input, out _, out _));
        Assert.Equal(OperationStatus.InvalidData, session.TryReadEvent(ref input, new ArrayBufferWriter<byte>(), out ProtocolEvent failed));
        Assert.Equal(CloseCode.InvalidPayloadData, failed.CloseCode);
    }

    [Fact]
    public void WithoutReadingInPlaceEveryMessageTakesTheEventPath()
    {
        using var session = new ProtocolSession(EndpointRole.Server);
        var input = new ReadOnlySequence<byte>(Frames.Binary([1]).Masked(Key).ToArray());

        Assert.False(session.TryReadSmallDataMessage(ref input, out _, out _));
        Assert.Equal(OperationStatus.Done, session.TryReadDataEvent(ref input, out ProtocolEvent evt));
        Assert.Equal([1], evt.Payload.ToArray());
    }

    [Fact]
    public void AControlFrameBetweenMessagesIsLeftUnreadForTheCallWithReplies()
    {
        using var session = new ProtocolSession(EndpointRole.Server);
        byte[] ping = Frames.Ping("p").Masked(Key).ToArray();
        var input = new ReadOnlySequence<byte>(Frames.Concat(Frames.Text("a").Masked(Key), Frames.Ping("p").Masked(Key), Frames.Text("b").Masked(Key)));
        var replies = new ArrayBufferWriter<byte>();

        Assert.Equal(OperationStatus.Done, session.TryReadDataEvent(ref input, out ProtocolEvent first));
        Assert.Equal("a", RecordedEvent.From(first).Text);
        long beforePing = input.Length;
        Assert.Equal(OperationStatus.DestinationTooSmall, session.TryReadDataEvent(ref input, out _));
        Assert.Equal(beforePing, input.Length);
        Assert.Equal(ping, input.Slice(0, ping.Length).ToArray());

        Assert.Equal(OperationStatus.Done, session.TryReadEvent(ref input, replies, out ProtocolEvent pinged));
        Assert.Equal(ProtocolEventKind.Ping, pinged.Kind);
        RecordedEvent pong = Assert.Single(SessionDriver.ReadBack(EndpointRole.Server, replies.WrittenSpan.ToArray()));
        Assert.Equal(ProtocolEventKind.Pong, pong.Kind);
        Assert.Equal("p", pong.Text);

        Assert.Equal(OperationStatus.Done, session.TryReadDataEvent(ref input, out ProtocolEvent last));
        Assert.Equal("b", RecordedEvent.From(last).Text);
        Assert.Equal(OperationStatus.NeedMoreData, session.TryReadDataEvent(ref input, out _));
    }

    [Fact]
    public void AViolationInADataFrameIsFailedAtTheNextCallWithReplies()
    {
        using var session = new ProtocolSession(EndpointRole.Server);
        var input = new ReadOnlySequence<byte>(Frames.Text([0xFF]).Masked(Key).ToArray()); // not UTF-8
        var replies = new ArrayBufferWriter<byte>();

        Assert.Equal(OperationStatus.DestinationTooSmall, session.TryReadDataEvent(ref input, out _));
        Assert.Equal(SessionState.Open, session.State); // the state changes with the failing close, not before

        Assert.Equal(OperationStatus.InvalidData, session.TryReadEvent(ref input, replies, out ProtocolEvent failed));
        Assert.Equal(ProtocolEventKind.Violation, failed.Kind);
        Assert.Equal(CloseCode.InvalidPayloadData, failed.CloseCode);
        Assert.Equal(SessionState.Closed, session.State);
        SessionDriver.AssertSentClose(EndpointRole.Server, replies.WrittenSpan.ToArray(), CloseCode.InvalidPayloadData);
    }

    [Fact]
    public void AHeaderThatBreaksTheProtocolIsLeftUnread()
    {
        using var session = new ProtocolSession(EndpointRole.Server);
        byte[] frame = Frames.Binary([1, 2]).Reserved(0x4).Masked(Key).ToArray(); // RSV1 with no extension
        var input = new ReadOnlySequence<byte>(frame);
        var replies = new ArrayBufferWriter<byte>();

        Assert.Equal(OperationStatus.DestinationTooSmall, session.TryReadDataEvent(ref input, out _));
        Assert.Equal(frame.Length, input.Length);

        Assert.Equal(OperationStatus.InvalidData, session.TryReadEvent(ref input, replies, out ProtocolEvent failed));
        Assert.Equal(CloseCode.ProtocolError, failed.CloseCode);
        SessionDriver.AssertSentClose(EndpointRole.Server, replies.WrittenSpan.ToArray(), CloseCode.ProtocolError);
    }

    [Fact]
    public void AfterThePeersCloseNothingIsReadWithoutReplies()
    {
        using var session = new ProtocolSession(EndpointRole.Server);
        var input = new ReadOnlySequence<byte>(Frames.Concat(Frames.Close(1000).Masked(Key), Frames.Text("late").Masked(Key)));
        var replies = new ArrayBufferWriter<byte>();

        Assert.Equal(OperationStatus.DestinationTooSmall, session.TryReadDataEvent(ref input, out _));
        Assert.Equal(OperationStatus.Done, session.TryReadEvent(ref input, replies, out ProtocolEvent closed));
        Assert.Equal(ProtocolEventKind.Close, closed.Kind);

        Assert.Equal(OperationStatus.DestinationTooSmall, session.TryReadDataEvent(ref input, out _));
        Assert.False(input.IsEmpty);
    }

    [Fact]
    public void AStreamingSessionReadsOnlyWithReplies()
    {
        using var session = new ProtocolSession(EndpointRole.Server, new ProtocolOptions { StreamMessages = true });
        var input = new ReadOnlySequence<byte>(Frames.Text("a").Masked(Key).ToArray());

        Assert.Equal(OperationStatus.DestinationTooSmall, session.TryReadDataEvent(ref input, out _));
        Assert.Equal(OperationStatus.Done, session.TryReadEvent(ref input, new ArrayBufferWriter<byte>(), out ProtocolEvent evt));
        Assert.Equal("a", RecordedEvent.From(evt).Text);
    }
}
