using System.Buffers;
using WsServer.Protocol.Closing;
using WsServer.Protocol.Framing;
using WsServer.Protocol.Messages;
using WsServer.Protocol.Session;
using WsServer.Protocol.Tests.TestSupport;

namespace WsServer.Protocol.Tests.Session;

/// <summary>RFC 6455 §5.5 Control Frames and §7 Closing the Connection, as a session answers them.</summary>
public class ProtocolSessionControlTests
{
    private const uint Key = 0x37fa213d;

    [Fact]
    public void PingIsAnsweredWithAPongWithIdenticalData()
    {
        foreach (SessionOutcome outcome in SessionDriver.EveryWay(EndpointRole.Server, Hex.Parse("89 85 37 fa 21 3d 7f 9f 4d 51 58")))
        {
            RecordedEvent ping = Assert.Single(outcome.Events);
            Assert.Equal(ProtocolEventKind.Ping, ping.Kind);
            Assert.Equal("Hello", ping.Text);
            Assert.Equal(Hex.Parse("8a 05 48 65 6c 6c 6f"), outcome.Replies);
        }
    }

    [Fact]
    public void ClientAnswersAPingWithAMaskedPong()
    {
        SessionOutcome outcome = SessionDriver.Arriving(EndpointRole.Client, null, [Hex.Parse("89 05 48 65 6c 6c 6f")]);

        RecordedEvent pong = Assert.Single(SessionDriver.ReadBack(EndpointRole.Client, outcome.Replies));
        Assert.Equal(ProtocolEventKind.Pong, pong.Kind);
        Assert.Equal("Hello", pong.Text);
        Assert.Equal(0x80, outcome.Replies[1] & 0x80);
    }

    [Fact]
    public void PongIsReportedAndNotAnswered()
    {
        foreach (SessionOutcome outcome in SessionDriver.EveryWay(EndpointRole.Server, Hex.Parse("8a 85 37 fa 21 3d 7f 9f 4d 51 58")))
        {
            RecordedEvent pong = Assert.Single(outcome.Events);
            Assert.Equal(ProtocolEventKind.Pong, pong.Kind);
            Assert.Equal("Hello", pong.Text);
            Assert.Empty(outcome.Replies);
        }
    }

    [Fact]
    public void CloseIsEchoedWithItsCodeAndTheSessionIsClosed()
    {
        foreach (SessionOutcome outcome in SessionDriver.EveryWay(EndpointRole.Server, Frames.Close(1001, "bye").Masked(Key).ToArray()))
        {
            RecordedEvent close = Assert.Single(outcome.Events);
            Assert.Equal(ProtocolEventKind.Close, close.Kind);
            Assert.Equal(CloseCode.GoingAway, close.Code);
            Assert.Equal("bye", close.Reason);
            Assert.Equal(Hex.Parse("88 02 03 e9"), outcome.Replies);
        }
    }

    [Fact]
    public void EmptyCloseIsAnsweredWithAnEmptyClose()
    {
        foreach (SessionOutcome outcome in SessionDriver.EveryWay(EndpointRole.Server, Frames.Close().Masked(Key).ToArray()))
        {
            RecordedEvent close = Assert.Single(outcome.Events);
            Assert.Null(close.Code);
            Assert.Equal(Hex.Parse("88 00"), outcome.Replies);
        }
    }

    [Fact]
    public void OneByteCloseFailsWithProtocolError() =>
        SessionDriver.AssertFails(EndpointRole.Server, Frames.Raw(Opcode.Close, [0x03]).Masked(Key).ToArray(), CloseCode.ProtocolError);

    [Theory]
    [InlineData(1005)]
    [InlineData(1006)]
    [InlineData(999)]
    [InlineData(2000)]
    public void UnsendableCloseCodeFailsWithProtocolError(int code) =>
        SessionDriver.AssertFails(EndpointRole.Server, Frames.Close((ushort)code).Masked(Key).ToArray(), CloseCode.ProtocolError);

    [Fact]
    public void CloseReasonThatIsNotUtf8FailsWithInvalidPayloadData() =>
        SessionDriver.AssertFails(EndpointRole.Server,
            Frames.Raw(Opcode.Close, Hex.Parse("03 e8 c0 af")).Masked(Key).ToArray(), CloseCode.InvalidPayloadData);

    [Fact]
    public void DataAfterACloseIsIgnored()
    {
        byte[] bytes = Frames.Concat(Frames.Close(1000).Masked(Key), Frames.Text("late").Masked(Key), Frames.Ping().Masked(Key));

        foreach (SessionOutcome outcome in SessionDriver.EveryWay(EndpointRole.Server, bytes))
        {
            Assert.Equal(ProtocolEventKind.Close, Assert.Single(outcome.Events).Kind);
            Assert.Equal(Hex.Parse("88 02 03 e8"), outcome.Replies);
            Assert.Empty(outcome.Unconsumed);
        }
    }

    [Fact]
    public void ClosedSessionConsumesAndIgnoresEverything()
    {
        using var session = new ProtocolSession(EndpointRole.Server);
        var replies = new ArrayBufferWriter<byte>();
        SessionDriver.Drain(session, new ReadOnlySequence<byte>(Frames.Text("x").ToArray()), replies, []);
        Assert.Equal(SessionState.Closed, session.State);
        var garbage = new ReadOnlySequence<byte>(Hex.Parse("ff ff ff"));

        OperationStatus status = session.TryReadEvent(ref garbage, replies, out _);

        Assert.Equal(OperationStatus.NeedMoreData, status);
        Assert.True(garbage.IsEmpty);
    }

    [Fact]
    public void AfterSendingCloseMessagesAreStillReadAndThePeersCloseIsNotEchoed()
    {
        using var session = new ProtocolSession(EndpointRole.Server);
        session.WriteClose(new ArrayBufferWriter<byte>(), CloseCode.GoingAway);
        Assert.Equal(SessionState.CloseSent, session.State);
        byte[] bytes = Frames.Concat(Frames.Text("still").Masked(Key), Frames.Ping("p").Masked(Key), Frames.Close(1001).Masked(Key));

        SessionOutcome outcome = SessionDriver.Arriving(session, [bytes]);

        Assert.Equal([ProtocolEventKind.Message, ProtocolEventKind.Ping, ProtocolEventKind.Close], outcome.Events.Select(e => e.Kind));
        Assert.Equal("still", outcome.Events[0].Text);
        Assert.Empty(outcome.Replies);
        Assert.Equal(SessionState.Closed, session.State);
    }

    [Fact]
    public void ViolationAfterSendingCloseSendsNoSecondClose()
    {
        using var session = new ProtocolSession(EndpointRole.Server);
        session.WriteClose(new ArrayBufferWriter<byte>(), CloseCode.NormalClosure);

        SessionOutcome outcome = SessionDriver.Arriving(session, [Frames.Text("unmasked").ToArray()]);

        Assert.Equal(CloseCode.ProtocolError, Assert.Single(outcome.Events).Code);
        Assert.Empty(outcome.Replies);
        Assert.Equal(SessionState.Closed, session.State);
    }

    [Fact]
    public void ViolationReturnsInvalidDataWithTheViolation()
    {
        using var session = new ProtocolSession(EndpointRole.Server);
        var input = new ReadOnlySequence<byte>(Frames.Text("unmasked").ToArray());
        var replies = new ArrayBufferWriter<byte>();

        OperationStatus status = session.TryReadEvent(ref input, replies, out ProtocolEvent evt);

        Assert.Equal(OperationStatus.InvalidData, status);
        Assert.Equal(ProtocolEventKind.Violation, evt.Kind);
        Assert.Equal(CloseCode.ProtocolError, evt.Violation?.Code);
        Assert.Equal(SessionState.Closed, session.State);
        SessionDriver.AssertSentClose(EndpointRole.Server, replies.WrittenSpan.ToArray(), CloseCode.ProtocolError);
    }

    [Fact]
    public void PingPayloadIsValidAfterAMessageWasAssembled()
    {
        byte[] bytes = Frames.Concat(Frames.Binary(new byte[200]).NotFinal().Masked(Key), Frames.Ping("mid").Masked(Key),
            Frames.Continuation([1]).Masked(Key));

        foreach (SessionOutcome outcome in SessionDriver.EveryWay(EndpointRole.Server, bytes))
        {
            Assert.Equal("mid", outcome.Events[0].Text);
            Assert.Equal(MessageKind.Binary, outcome.Events[1].MessageKind);
            Assert.Equal(201, outcome.Events[1].Payload.Length);
        }
    }
}
