using System.Buffers;
using WsServer.Protocol.Closing;
using WsServer.Protocol.Framing;

namespace WsServer.Protocol.Messages;

/// <summary>A data message read in parts as it arrives (<see cref="Session.ProtocolOptions.StreamMessages"/>):
/// continuation order, the size limit and UTF-8 for text are enforced chunk by chunk as
/// <see cref="MessageAssembler"/> enforces them, but nothing is assembled. Each part is one pooled buffer of
/// at most <see cref="PartSize"/> bytes, handed out and then reused, so a message may be larger than memory.</summary>
/// <remarks>The buffer is rented at the first payload byte and returned once a message's last part has been
/// handed out and used (<see cref="AfterDelivery"/>), so an idle session holds none.</remarks>
internal sealed class MessageParts(long maxMessageSize)
{
    /// <summary>The most bytes in one part: what a streaming session holds of a message at a time.</summary>
    public const int PartSize = 64 * 1024;

    private byte[]? _buffer;
    private int _length;
    private long _total;
    private long _wireLength;
    private bool _delivered;
    private Utf8Validator _utf8;

    /// <summary>A message was started and its final frame has not been read.</summary>
    public bool IsOpen { get; private set; }

    /// <summary>The kind of the open (or just completed) message.</summary>
    public MessageKind Kind { get; private set; }

    /// <summary>The bytes in the current part.</summary>
    public int Length => _length;

    /// <summary>The part is full: hand it out before reading on.</summary>
    public bool IsFull => _length == PartSize;

    /// <summary>How many more bytes the open message may grow by before it is too big.</summary>
    public long Remaining => maxMessageSize - _total;

    /// <summary>The size of the rented buffer, 0 when none is held.</summary>
    public int Capacity => _buffer?.Length ?? 0;

    /// <summary>Checks a data frame header against the message in progress, as
    /// <see cref="MessageAssembler.TryBeginFrame"/> does, without a limit of <see cref="Array.MaxLength"/>.</summary>
    public bool TryBeginFrame(in FrameHeader header, bool compressed, out ProtocolViolation violation)
    {
        if (!MessageAssembler.TryCheckOrder(header.Opcode, IsOpen, out violation)) return false;
        if (header.Opcode != Opcode.Continuation)
        {
            IsOpen = true;
            Kind = header.Opcode == Opcode.Text ? MessageKind.Text : MessageKind.Binary;
            _total = 0;
            _wireLength = 0;
            _utf8.Reset();
        }

        // §10.4: a limit on "the total message size after reassembly from multiple frames"; a compressed
        // message's wire bytes are bounded too, with room for deflate's overhead (saturating: the limit
        // of a streamed message may be near long.MaxValue).
        long slack = compressed ? (maxMessageSize >> 3) + 1024 : 0;
        long wireLimit = maxMessageSize > long.MaxValue - slack ? long.MaxValue : maxMessageSize + slack;
        if (header.PayloadLength > wireLimit - _wireLength)
            return Fail(CloseCode.MessageTooBig, "message too big", out violation);
        _wireLength += header.PayloadLength;
        return true;
    }

    /// <summary>The free room of the current part.</summary>
    public Span<byte> GetSpan()
    {
        _buffer ??= ArrayPool<byte>.Shared.Rent(PartSize);
        return _buffer.AsSpan(_length, PartSize - _length);
    }

    /// <summary>Keeps the <paramref name="count"/> bytes just written to <see cref="GetSpan"/>, counting them
    /// against the limit and validating them when the message is text.</summary>
    public bool TryCommit(int count, out ProtocolViolation violation)
    {
        violation = default;
        ReadOnlySpan<byte> chunk = _buffer.AsSpan(_length, count);
        _length += count;
        _total += count;
        if (_total > maxMessageSize)
            return Fail(CloseCode.MessageTooBig, "message too big once inflated", out violation);
        // §8.1: invalid UTF-8 fails the connection at the first bad byte, not at the end of the message.
        if (Kind == MessageKind.Text && !_utf8.TryAppend(chunk))
            return Fail(CloseCode.InvalidPayloadData, "text message is not valid UTF-8", out violation);
        return true;
    }

    /// <summary>Hands the current part out; it stays valid until <see cref="AfterDelivery"/>.</summary>
    public ReadOnlyMemory<byte> TakePart()
    {
        _delivered = true;
        return _buffer is null ? ReadOnlyMemory<byte>.Empty : _buffer.AsMemory(0, _length);
    }

    /// <summary>Ends the message after its final frame (its last part is then taken).</summary>
    public bool TryComplete(out ProtocolViolation violation)
    {
        IsOpen = false;
        violation = default;
        // §5.6: "the whole message MUST contain valid UTF-8" — a character cut by the end is not.
        if (Kind == MessageKind.Text && !_utf8.TryComplete())
            return Fail(CloseCode.InvalidPayloadData, "text message ends inside a UTF-8 sequence", out violation);
        return true;
    }

    /// <summary>The part handed out was used: the buffer is reused, or returned once the message is complete.</summary>
    public void AfterDelivery()
    {
        if (!_delivered) return;
        _delivered = false;
        _length = 0;
        if (!IsOpen) Release();
    }

    /// <summary>Drops the message in progress, if any, and returns the buffer.</summary>
    public void Release()
    {
        if (_buffer is not null) ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = null;
        _length = 0;
        _delivered = false;
        _utf8.Reset();
        IsOpen = false;
    }

    private static bool Fail(CloseCode code, string reason, out ProtocolViolation violation)
    {
        violation = new ProtocolViolation(code, reason);
        return false;
    }
}
