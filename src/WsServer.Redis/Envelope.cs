using System.Buffers.Binary;
using System.Text;

namespace WsServer.Redis;

/// <summary>What a relayed message is addressed to.</summary>
internal enum EnvelopeTarget : byte
{
    Topic = 1,
    Connection = 2,
    /// <summary>A message of a topic that keeps history: the topic, then the connection of the origin
    /// node it skips (0: none). Redis prefixes it with its position when it keeps it.</summary>
    History = 3,
    /// <summary>A join or leave in a topic's presence: the topic, then the connection; the payload is 1
    /// (joined) or 0 (left), then the member's info.</summary>
    Presence = 4,
}

/// <summary>
/// One relayed message as the bytes of a Redis pub/sub message. Little-endian:
/// <code>
/// version (1) | target (1) | text 1 / binary 0 (1) | published at, UTC ticks (8)
/// | origin node length (1) | origin node (UTF-8)
/// | topic length (2) and topic (UTF-8), or connection id (8), or both (history: the connection skipped)
/// | payload (the rest)
/// </code>
/// The timestamp gives the lag at the receiving node (so it assumes the nodes' clocks agree); the
/// origin lets a node skip its own topic publishes, which it delivered locally already.
/// </summary>
internal readonly record struct Envelope(
    EnvelopeTarget Target, bool IsText, long PublishedAtTicks, string Origin, string? Topic, long ConnectionId,
    ReadOnlyMemory<byte> Payload)
{
    private const byte Version = 1;

    public byte[] ToBytes()
    {
        int originLength = Encoding.UTF8.GetByteCount(Origin);
        int targetLength = Target switch
        {
            EnvelopeTarget.Topic => 2 + Encoding.UTF8.GetByteCount(Topic!),
            EnvelopeTarget.History or EnvelopeTarget.Presence => 10 + Encoding.UTF8.GetByteCount(Topic!),
            _ => 8,
        };
        if (originLength > byte.MaxValue) throw new InvalidOperationException("the node id is longer than 255 bytes");
        if (targetLength > ushort.MaxValue + 10) throw new ArgumentException("the topic is longer than 65535 bytes");
        var bytes = new byte[12 + originLength + targetLength + Payload.Length];
        Span<byte> span = bytes;
        span[0] = Version;
        span[1] = (byte)Target;
        span[2] = IsText ? (byte)1 : (byte)0;
        BinaryPrimitives.WriteInt64LittleEndian(span[3..], PublishedAtTicks);
        span[11] = (byte)originLength;
        span = span[12..];
        span = span[Encoding.UTF8.GetBytes(Origin, span)..];
        if (Target != EnvelopeTarget.Connection)
        {
            int topicLength = Encoding.UTF8.GetBytes(Topic, span[2..]);
            BinaryPrimitives.WriteUInt16LittleEndian(span, (ushort)topicLength);
            span = span[(2 + topicLength)..];
        }
        if (Target != EnvelopeTarget.Topic)
        {
            BinaryPrimitives.WriteInt64LittleEndian(span, ConnectionId);
            span = span[8..];
        }
        Payload.Span.CopyTo(span);
        return bytes;
    }

    /// <summary>False for bytes that are not an envelope of this version (another program on the channel).</summary>
    public static bool TryRead(ReadOnlyMemory<byte> bytes, out Envelope envelope)
    {
        envelope = default;
        ReadOnlySpan<byte> span = bytes.Span;
        if (span.Length < 12 || span[0] != Version
            || span[1] is < (byte)EnvelopeTarget.Topic or > (byte)EnvelopeTarget.Presence)
            return false;
        var target = (EnvelopeTarget)span[1];
        bool isText = span[2] == 1;
        long ticks = BinaryPrimitives.ReadInt64LittleEndian(span[3..]);
        int at = 12 + span[11];
        if (span.Length < at) return false;
        string origin = Encoding.UTF8.GetString(span[12..at]);
        string? topic = null;
        long connectionId = 0;
        if (target != EnvelopeTarget.Connection)
        {
            if (span.Length < at + 2) return false;
            int length = BinaryPrimitives.ReadUInt16LittleEndian(span[at..]);
            if (span.Length < at + 2 + length) return false;
            topic = Encoding.UTF8.GetString(span.Slice(at + 2, length));
            at += 2 + length;
        }
        if (target != EnvelopeTarget.Topic)
        {
            if (span.Length < at + 8) return false;
            connectionId = BinaryPrimitives.ReadInt64LittleEndian(span[at..]);
            at += 8;
        }
        envelope = new Envelope(target, isText, ticks, origin, topic, connectionId, bytes[at..]);
        return true;
    }
}
