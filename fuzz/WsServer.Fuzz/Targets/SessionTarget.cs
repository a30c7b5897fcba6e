using System.Buffers;
using WsServer.Protocol.Closing;
using WsServer.Protocol.Compression;
using WsServer.Protocol.Session;
using WsServer.Protocol.Framing;

namespace WsServer.Fuzz.Targets;

/// <summary>A <see cref="ProtocolSession"/> reading a peer's bytes: <c>frame</c> is the server role
/// (masked client frames), <c>session</c> the client role (unmasked server frames).</summary>
/// <remarks>
/// Input: byte 0 is the control byte (its low 5 bits the <see cref="ChunkPlan"/>; bit 5 a 64-byte
/// message limit, to reach 1009; bit 6 this side sends its close after the first event, to reach the
/// CloseSent paths; bit 7 permessage-deflate negotiated, so RSV1 frames are inflated), the rest is the
/// peer's bytes. Oracles, beyond "never throws": the
/// <c>TryReadEvent</c> contract (status, consumption, state, violation codes), the replies parse as
/// pongs and closes at the peer, read(write(events)) == events, and reading in place gives the same events and
/// replies (<see cref="SessionOracles"/>).
/// </remarks>
public sealed class SessionTarget(string name, EndpointRole role) : IFuzzTarget
{
    // Indexed by control bits 5 (a 64-byte message limit) and 7 (permessage-deflate negotiated).
    private static readonly ProtocolOptions[] OptionsByControl =
    [
        ProtocolOptions.Default,
        new() { MaxMessageSize = 64 },
        new() { Deflate = new DeflateParameters() },
        new() { MaxMessageSize = 64, Deflate = new DeflateParameters() },
    ];

    public string Name => name;

    public EndpointRole Role => role;

    public IReadOnlyList<byte[]> Seeds { get; } = SessionSeeds.Build(role);

    public IReadOnlyList<byte[]> Dictionary { get; } = SessionSeeds.Tokens;

    public void Run(ReadOnlySpan<byte> input, FeatureSet features)
    {
        ArgumentNullException.ThrowIfNull(features);
        if (input.IsEmpty)
            return;
        byte control = input[0];
        byte[] data = input[1..].ToArray();
        var replies = new ArrayBufferWriter<byte>();
        DriveResult result = Drive(data, control, replies, features);
        features.Add(1, (int)result.Status, (int)result.State, FeatureSet.Bucket(result.Consumed));

        SessionOracles.CheckReplies(role, replies.WrittenMemory, Options(control));
        SessionOracles.CheckRoundTrip(this, control, result.Events);

        // Read in place, as the server and the client read (the input's own copy: it is unmasked where it lies).
        var inPlaceReplies = new ArrayBufferWriter<byte>();
        DriveResult inPlace = Drive(input[1..].ToArray(), control, inPlaceReplies, features, inPlace: true);
        SessionOracles.CheckSameReading(role, result, replies.WrittenSpan, inPlace, inPlaceReplies.WrittenSpan);
    }

    internal static ProtocolOptions Options(byte control) =>
        OptionsByControl[((control >> 5) & 1) | ((control >> 6) & 2)];

    /// <summary>Feeds <paramref name="data"/> in the reads the control byte chooses; records every event. With
    /// <paramref name="inPlace"/>, messages are read where they lie and small ones whole, as the server reads.</summary>
    internal DriveResult Drive(byte[] data, byte control, IBufferWriter<byte> replies, FeatureSet features, bool inPlace = false)
    {
        ProtocolOptions options = inPlace ? Options(control) with { ReadMessagesInPlace = true, ReadWholeFramesUpTo = 4096 } : Options(control);
        using var session = new ProtocolSession(role, options);
        bool closeAfterFirst = (control & 0x40) != 0;
        var plan = new ChunkPlan(control);
        var feed = new ChunkedFeed();
        var events = new List<RecordedEvent>();
        int offset = 0;
        long consumedTotal = 0;
        int previous = -1;
        int budget = (2 * data.Length) + 16;
        OperationStatus status;
        while (true)
        {
            if (--budget < 0)
                throw new HangException($"no progress after {events.Count} events at byte {consumedTotal}");
            if (offset < data.Length)
            {
                int count = Math.Min(plan.Next(), data.Length - offset);
                feed.Append(data.AsMemory(offset, count));
                offset += count;
            }

            ReadOnlySequence<byte> unread = feed.Sequence();
            ReadOnlySequence<byte> input = unread;
            SessionState before = session.State;
            status = session.TryReadEvent(ref input, replies, out ProtocolEvent evt);
            long consumed = unread.Length - input.Length;
            if (consumed < 0 || !input.End.Equals(unread.End))
                throw new OracleException("TryReadEvent left input that is not a suffix of what it was given");
            feed.Consume(consumed);
            consumedTotal += consumed;

            if (status == OperationStatus.Done)
            {
                var recorded = RecordedEvent.From(evt);
                events.Add(recorded);
                CheckEvent(recorded, before, session.State);
                features.Add(2, (int)evt.Kind, (int)evt.MessageKind, FeatureSet.Bucket(evt.Payload.Length));
                features.Add(3, previous, (int)evt.Kind, (int)before);
                features.Add(4, (int)evt.Kind, evt.CloseCode is { } code ? (int)code : -1);
                previous = (int)evt.Kind;
                if (closeAfterFirst && events.Count == 1 && session.State == SessionState.Open)
                    session.WriteClose(replies, CloseCode.NormalClosure, "bye");
                continue;
            }

            if (status == OperationStatus.InvalidData)
            {
                CheckViolation(evt, session.State);
                features.Add(5, (int)evt.CloseCode!.Value, evt.CloseReason!.GetHashCode(StringComparison.Ordinal), (int)before);
                break;
            }

            if (status != OperationStatus.NeedMoreData)
                throw new OracleException($"TryReadEvent returned {status}");
            if (session.State == SessionState.Closed && !input.IsEmpty)
                throw new OracleException("a closed session must consume and ignore all input");
            if (offset >= data.Length)
                break;
        }

        return new DriveResult(status, session.State, consumedTotal, events);
    }

    private static void CheckEvent(RecordedEvent evt, SessionState before, SessionState after)
    {
        if (evt.Kind == ProtocolEventKind.Violation)
            throw new OracleException("Done with a Violation event");
        if (evt.Kind == ProtocolEventKind.Close ? after != SessionState.Closed : after != before)
            throw new OracleException($"a {evt.Kind} event moved the state from {before} to {after}");
        if (evt.Kind is ProtocolEventKind.Ping or ProtocolEventKind.Pong or ProtocolEventKind.Close
            && evt.Payload.Length > 125)
            throw new OracleException("a control payload over 125 bytes was delivered");
    }

    private static void CheckViolation(ProtocolEvent evt, SessionState after)
    {
        if (evt.Kind != ProtocolEventKind.Violation || evt.Violation is null || evt.CloseReason is null)
            throw new OracleException("InvalidData without a Violation event");
        if (evt.CloseCode is not (CloseCode.ProtocolError or CloseCode.InvalidPayloadData or CloseCode.MessageTooBig))
            throw new OracleException($"unexpected violation code {evt.CloseCode}");
        if (after != SessionState.Closed)
            throw new OracleException("a violation must close the session");
    }
}

/// <summary>What a drive read: the last status, the final state, the bytes consumed and the events.</summary>
internal sealed record DriveResult(OperationStatus Status, SessionState State, long Consumed, List<RecordedEvent> Events);

/// <summary>An event with its payload copied out of the session's buffer.</summary>
internal sealed record RecordedEvent(ProtocolEventKind Kind, Protocol.Messages.MessageKind MessageKind, byte[] Payload,
    CloseCode? CloseCode)
{
    public static RecordedEvent From(ProtocolEvent evt) =>
        new(evt.Kind, evt.MessageKind, evt.Payload.ToArray(), evt.CloseCode);

    public bool SameAs(RecordedEvent other) =>
        Kind == other.Kind && MessageKind == other.MessageKind && CloseCode == other.CloseCode
        && Payload.AsSpan().SequenceEqual(other.Payload);
}
