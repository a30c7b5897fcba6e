using System.Buffers;
using WsServer.Protocol.Closing;
using WsServer.Protocol.Framing;
using WsServer.Protocol.Session;
using WsServer.Protocol.Tests.TestSupport;

namespace WsServer.Protocol.Tests.Session;

/// <summary>Reading data without replies (<see cref="ProtocolSession.TryReadDataEvent"/>): data messages are
/// read as <see cref="ProtocolSession.TryReadEvent"/> reads them; whatever needs a reply or a change of state
/// (a control frame, a violation, anything after the peer's close) is left for the call with replies. Every
/// reading test reads its input this way too (<see cref="SessionDriver.EveryWay"/>).</summary>
public sealed class ProtocolSessionDataReadingTests
{
    private const uint Key = 0x37fa213d;

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
