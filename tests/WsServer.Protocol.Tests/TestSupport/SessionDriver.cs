using System.Buffers;
using WsServer.Protocol.Closing;
using WsServer.Protocol.Messages;
using WsServer.Protocol.Session;
using WsServer.Protocol.Framing;

namespace WsServer.Protocol.Tests.TestSupport;

/// <summary>An event copied out of the session (its payload is only valid until the next call).</summary>
public sealed record RecordedEvent(ProtocolEventKind Kind, MessageKind MessageKind, byte[] Payload,
    CloseCode? Code, string? Reason, ProtocolViolation? Violation)
{
    public string Text => System.Text.Encoding.UTF8.GetString(Payload);

    public static RecordedEvent From(in ProtocolEvent evt) =>
        new(evt.Kind, evt.MessageKind, evt.Payload.ToArray(), evt.CloseCode, evt.CloseReason, evt.Violation);

    public override string ToString() => $"{Kind} {MessageKind} [{Hex.Format(Payload)}] {Code} {Reason}";
}

/// <summary>What a session made of some input: its events, its replies, and the bytes it left.</summary>
public sealed record SessionOutcome(List<RecordedEvent> Events, byte[] Replies, byte[] Unconsumed, string How);

/// <summary>Drives a <see cref="ProtocolSession"/> the way the connection loop does, over every way
/// the input may arrive: all at once in split sequences, or chunk by chunk with the unconsumed rest
/// carried over to the next read (as a pipe does).</summary>
public static class SessionDriver
{
    /// <summary>Calls TryReadEvent until it asks for more data or fails; returns what it left. With
    /// <paramref name="dataFirst"/>, as the server's loop reads: TryReadSmallDataMessage first, then
    /// TryReadDataEvent, and TryReadEvent when the next event needs replies.</summary>
    public static byte[] Drain(ProtocolSession session, ReadOnlySequence<byte> input,
        ArrayBufferWriter<byte> replies, List<RecordedEvent> events, bool dataFirst = false)
    {
        while (true)
        {
            if (dataFirst && session.TryReadSmallDataMessage(ref input, out MessageKind kind, out ReadOnlyMemory<byte> payload))
            {
                events.Add(RecordedEvent.From(new ProtocolEvent(ProtocolEventKind.Message, kind, payload)));
                continue;
            }
            ProtocolEvent evt = default;
            OperationStatus status = dataFirst ? session.TryReadDataEvent(ref input, out evt) : OperationStatus.DestinationTooSmall;
            if (status == OperationStatus.DestinationTooSmall) status = session.TryReadEvent(ref input, replies, out evt);
            if (status == OperationStatus.NeedMoreData)
                return input.ToArray();
            events.Add(RecordedEvent.From(evt));
            if (status == OperationStatus.InvalidData)
                return input.ToArray();
        }
    }

    /// <summary>One fresh session per way of arriving, read by TryReadEvent alone and as the server's loop
    /// reads (data first, with messages in one frame read whole and in place); the outcome of each.</summary>
    public static IEnumerable<SessionOutcome> EveryWay(EndpointRole role, byte[] bytes, ProtocolOptions? options = null)
    {
        foreach (bool dataFirst in new[] { false, true })
        {
            string reading = dataFirst ? ", data first, whole frames in place" : "";
            ProtocolOptions? read = dataFirst
                ? (options ?? ProtocolOptions.Default) with { ReadMessagesInPlace = true, ReadWholeFramesUpTo = int.MaxValue }
                : options;
            int way = 0;
            foreach (ReadOnlySequence<byte> sequence in SegmentedSequence.AllSplits(bytes))
            {
                using var session = new ProtocolSession(role, read);
                var replies = new ArrayBufferWriter<byte>();
                var events = new List<RecordedEvent>();
                byte[] left = Drain(session, sequence, replies, events, dataFirst);
                yield return new SessionOutcome(events, replies.WrittenSpan.ToArray(), left, $"sequence #{way++}{reading}");
            }

            for (int split = 1; split < bytes.Length; split++)
                yield return Arriving(role, read, [bytes[..split], bytes[split..]], $"arriving split at {split}{reading}", dataFirst);
            yield return Arriving(role, read, bytes.Select(b => new[] { b }).ToArray(), $"arriving byte by byte{reading}", dataFirst);
        }
    }

    /// <summary>Feeds chunks one read at a time, carrying what the session left to the next read.</summary>
    public static SessionOutcome Arriving(EndpointRole role, ProtocolOptions? options, byte[][] chunks, string how = "",
        bool dataFirst = false)
    {
        using var session = new ProtocolSession(role, options);
        return Arriving(session, chunks, how, dataFirst);
    }

    public static SessionOutcome Arriving(ProtocolSession session, byte[][] chunks, string how = "", bool dataFirst = false)
    {
        var replies = new ArrayBufferWriter<byte>();
        var events = new List<RecordedEvent>();
        byte[] left = [];
        foreach (byte[] chunk in chunks)
        {
            if (events.Count > 0 && events[^1].Kind == ProtocolEventKind.Violation)
                break;
            left = Drain(session, SegmentedSequence.Create(left, chunk), replies, events, dataFirst);
        }

        return new SessionOutcome(events, replies.WrittenSpan.ToArray(), left, how);
    }

    /// <summary>Reads the input every way and asserts the connection fails with <paramref name="code"/>,
    /// having sent exactly the failing close frame.</summary>
    public static void AssertFails(EndpointRole role, byte[] bytes, CloseCode code, ProtocolOptions? options = null)
    {
        foreach (SessionOutcome outcome in EveryWay(role, bytes, options))
        {
            RecordedEvent last = Assert.Single(outcome.Events, e => e.Kind == ProtocolEventKind.Violation);
            Assert.Same(last, outcome.Events[^1]);
            Assert.Equal(code, last.Code);
            Assert.Equal(code, last.Violation?.Code);
            AssertSentClose(role, outcome.Replies, code);
        }
    }

    /// <summary>Asserts that <paramref name="replies"/> ends with a close frame carrying <paramref name="code"/>.</summary>
    public static void AssertSentClose(EndpointRole role, byte[] replies, CloseCode code)
    {
        RecordedEvent close = Assert.Single(ReadBack(role, replies), e => e.Kind == ProtocolEventKind.Close);
        Assert.Equal(code, close.Code);
    }

    /// <summary>Reads frames sent by a <paramref name="sender"/> with a session of the opposite role.</summary>
    public static List<RecordedEvent> ReadBack(EndpointRole sender, byte[] sent, ProtocolOptions? options = null)
    {
        using var peer = new ProtocolSession(sender == EndpointRole.Server ? EndpointRole.Client : EndpointRole.Server, options);
        var events = new List<RecordedEvent>();
        byte[] left = Drain(peer, new ReadOnlySequence<byte>(sent), new ArrayBufferWriter<byte>(), events);
        Assert.Empty(left);
        return events;
    }
}
