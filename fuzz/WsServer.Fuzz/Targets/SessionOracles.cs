using System.Buffers;
using WsServer.Protocol.Framing;
using WsServer.Protocol.Messages;
using WsServer.Protocol.Session;

namespace WsServer.Fuzz.Targets;

/// <summary>The second and third oracles of <see cref="SessionTarget"/>: what the session wrote back
/// is valid for the peer, and what it read survives a round trip through <see cref="FrameWriter"/>.</summary>
internal static class SessionOracles
{
    /// <summary>The replies (pongs, the close echo or failing close) read cleanly at the peer: only pongs
    /// and at most one close, which comes last.</summary>
    public static void CheckReplies(EndpointRole role, ReadOnlyMemory<byte> replies, ProtocolOptions options)
    {
        EndpointRole peerRole = role == EndpointRole.Server ? EndpointRole.Client : EndpointRole.Server;
        using var peer = new ProtocolSession(peerRole, options);
        var input = new ReadOnlySequence<byte>(replies);
        var sink = new ArrayBufferWriter<byte>();
        while (true)
        {
            OperationStatus status = peer.TryReadEvent(ref input, sink, out ProtocolEvent evt);
            if (status == OperationStatus.NeedMoreData)
                break;
            if (status != OperationStatus.Done)
                throw new OracleException($"the peer cannot read our replies: {evt.CloseReason}");
            if (evt.Kind is not (ProtocolEventKind.Pong or ProtocolEventKind.Close))
                throw new OracleException($"a {evt.Kind} in the replies");
            if (evt.Kind == ProtocolEventKind.Close && !input.IsEmpty)
                throw new OracleException("bytes written after our close frame");
        }

        if (!input.IsEmpty)
            throw new OracleException("the replies end with a partial frame");
    }

    /// <summary>Reading in place (<see cref="ProtocolOptions.ReadMessagesInPlace"/>, small frames whole) reads the
    /// same events, ends in the same state and writes the same replies as reading by copy.</summary>
    public static void CheckSameReading(EndpointRole role, DriveResult copied, ReadOnlySpan<byte> copiedReplies,
        DriveResult inPlace, ReadOnlySpan<byte> inPlaceReplies)
    {
        if (Difference(copied.Events, inPlace.Events) is { } events)
            throw new OracleException($"read in place, {events}");
        if (copied.State != inPlace.State || copied.Status != inPlace.Status)
            throw new OracleException($"read in place, the session ends {inPlace.Status} {inPlace.State}, not {copied.Status} {copied.State}");
        // As the peer reads them: a client masks what it writes with keys of its own choosing.
        if (Difference(ReadBack(role, copiedReplies), ReadBack(role, inPlaceReplies)) is { } replies)
            throw new OracleException($"read in place, the replies differ: {replies}");
    }

    // Where two runs' events part, or null when they are the same.
    private static string? Difference(List<RecordedEvent> expected, List<RecordedEvent> actual)
    {
        if (expected.Count != actual.Count) return $"{actual.Count} events instead of {expected.Count}";
        for (int i = 0; i < expected.Count; i++)
        {
            if (!expected[i].SameAs(actual[i])) return $"event {i} is {actual[i]} instead of {expected[i]}";
        }
        return null;
    }

    private static List<RecordedEvent> ReadBack(EndpointRole role, ReadOnlySpan<byte> replies)
    {
        using var peer = new ProtocolSession(role == EndpointRole.Server ? EndpointRole.Client : EndpointRole.Server);
        var input = new ReadOnlySequence<byte>(replies.ToArray());
        var events = new List<RecordedEvent>();
        while (peer.TryReadEvent(ref input, new ArrayBufferWriter<byte>(), out ProtocolEvent evt) == OperationStatus.Done)
            events.Add(RecordedEvent.From(evt));
        return events;
    }

    /// <summary>Writes the events read as single frames, reads them back in one read, and expects the
    /// same events and no violation: read(write(x)) == x.</summary>
    public static void CheckRoundTrip(SessionTarget target, byte control, List<RecordedEvent> events)
    {
        if (events.Count == 0)
            return;
        var wire = new ArrayBufferWriter<byte>();
        uint key = 0xA5C3_0F1Eu ^ control;
        foreach (RecordedEvent evt in events)
        {
            Opcode opcode = evt.Kind switch
            {
                ProtocolEventKind.Message => evt.MessageKind == MessageKind.Text ? Opcode.Text : Opcode.Binary,
                ProtocolEventKind.Ping => Opcode.Ping,
                ProtocolEventKind.Pong => Opcode.Pong,
                _ => Opcode.Close,
            };
            uint? mask = target.Role == EndpointRole.Server ? key++ : null;
            FrameWriter.WriteFrame(wire, opcode, evt.Payload, maskingKey: mask);
        }

        // Same options and close behaviour, one read of everything.
        byte wholeRead = (byte)(control & 0xE0);
        DriveResult replay = target.Drive(wire.WrittenSpan.ToArray(), wholeRead, new ArrayBufferWriter<byte>(), FeatureSet.None);
        if (replay.Status == OperationStatus.InvalidData)
            throw new OracleException("re-encoded events fail to read back");
        if (Difference(events, replay.Events) is { } difference)
            throw new OracleException($"after a round trip, {difference}");
    }
}
