using System.Buffers;
using WsServer.Protocol.Closing;
using WsServer.Protocol.Framing;

namespace WsServer.Protocol.Messages;

/// <summary>Joins the data frames of one message (RFC 6455 §5.4) into a pooled buffer, enforcing
/// continuation order, the message size limit and UTF-8 for text, chunk by chunk.</summary>
/// <remarks>
/// The buffer is rented from <see cref="ArrayPool{T}.Shared"/> when the first payload byte arrives,
/// is sized for the frame's announced length up to 64 KiB and beyond that grows by doubling as bytes
/// arrive (so a peer cannot make an idle connection hold a large buffer by sending only a header),
/// serves the next messages that arrive with it, and goes back to the pool by <see cref="ReleaseIfComplete"/>
/// once the input is used up and the last message delivered.
/// Payload path per chunk: the caller unmasks into <see cref="GetChunkBuffer"/>, then
/// <see cref="TryCommit"/> validates and keeps it. An extension that transforms payloads
/// (permessage-deflate) fits between the two: unmask into a scratch buffer, inflate into
/// <see cref="GetChunkBuffer"/>, commit what was produced. A mutable struct, kept in its session's
/// field (never copied), so a connection holds no separate object for it.
/// </remarks>
internal struct MessageAssembler
{
    private const int MinimumBuffer = 256;

    /// <summary>How much of an announced frame length is trusted when sizing the buffer: enough that a
    /// frame up to 64 KiB is received into one buffer without regrowing, little enough that a header
    /// alone cannot make a connection hold much.</summary>
    private const int TrustedAnnouncement = 64 * 1024;

    private readonly long _maxMessageSize;
    private readonly int _maxBuffer;
    private byte[]? _buffer;
    private ReadOnlyMemory<byte> _inPlace; // a whole message taken where it lies (TryTakeWhole), instead of the buffer
    private int _length;
    private long _wireLength;
    private long _announcedEnd;
    private Utf8Validator _utf8;

    /// <param name="maxMessageSize">The largest message accepted, inclusive.</param>
    public MessageAssembler(long maxMessageSize)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxMessageSize);
        _maxMessageSize = Math.Min(maxMessageSize, Array.MaxLength);
        _maxBuffer = (int)_maxMessageSize;
    }

    /// <summary>A message was started and its final frame has not been read.</summary>
    public bool IsOpen { get; private set; }

    /// <summary>The kind of the open (or just completed) message.</summary>
    public MessageKind Kind { get; private set; }

    /// <summary>The bytes of the message so far.</summary>
    public int Length => _length;

    /// <summary>How many more bytes the open message may grow by before it is too big.</summary>
    public long Remaining => _maxMessageSize - _length;

    /// <summary>The size of the rented buffer, 0 when none is held.</summary>
    public int Capacity => _buffer?.Length ?? 0;

    /// <summary>Checks a data frame header against the message in progress and opens a message for
    /// a Text or Binary frame. The frame's length bounds the message size only when it is not
    /// <paramref name="compressed"/>; a compressed message is bounded as it is inflated.</summary>
    public bool TryBeginFrame(in FrameHeader header, out ProtocolViolation violation, bool compressed = false)
    {
        if (!TryCheckOrder(header.Opcode, IsOpen, out violation)) return false;
        if (header.Opcode != Opcode.Continuation)
        {
            Restart();
            IsOpen = true;
            Kind = header.Opcode == Opcode.Text ? MessageKind.Text : MessageKind.Binary;
        }

        // §10.4: "Such an implementation SHOULD impose a limit on frame sizes and the total message
        // size after reassembly from multiple frames." A compressed message is bounded as it is
        // inflated, and its wire bytes too, with room for deflate's overhead on incompressible data,
        // so endless fragments that inflate to nothing cannot keep a connection busy forever.
        long wireLimit = compressed ? _maxMessageSize + (_maxMessageSize >> 3) + 1024 : _maxMessageSize;
        if (header.PayloadLength > wireLimit - _wireLength)
            return Fail(CloseCode.MessageTooBig, "message too big", out violation);
        _wireLength += header.PayloadLength;
        _announcedEnd = compressed ? 0 : _length + Math.Min(header.PayloadLength, TrustedAnnouncement);
        return true;
    }

    /// <summary>Checks a data frame's opcode against whether a fragmented message is open (§5.4).</summary>
    public static bool TryCheckOrder(Opcode opcode, bool messageOpen, out ProtocolViolation violation)
    {
        violation = default;
        // §5.4: a fragmented message is "a single frame with the FIN bit clear and an opcode
        // other than 0, followed by zero or more frames with the FIN bit clear and the opcode
        // set to 0, and terminated by a single frame with the FIN bit set and an opcode of 0."
        if (opcode == Opcode.Continuation && !messageOpen)
            return Fail(CloseCode.ProtocolError, "continuation frame with no message to continue", out violation);
        // §5.4: "The fragments of one message MUST NOT be interleaved between the fragments of
        // another message unless an extension has been negotiated that can interpret the
        // interleaving."
        if (opcode != Opcode.Continuation && messageOpen)
            return Fail(CloseCode.ProtocolError, "new data frame while a fragmented message is open", out violation);
        return true;
    }

    /// <summary>Room for the next <paramref name="count"/> payload bytes, at the end of the message;
    /// the frame they belong to was accepted by <see cref="TryBeginFrame"/>, so they fit the limit.</summary>
    public Span<byte> GetChunkBuffer(int count)
    {
        int needed = _length + count;
        if (_buffer is null || needed > _buffer.Length)
            Grow(needed);
        return _buffer.AsSpan(_length, count);
    }

    /// <summary>Keeps the <paramref name="count"/> bytes just written to <see cref="GetChunkBuffer"/>,
    /// validating them when the message is text.</summary>
    public bool TryCommit(int count, out ProtocolViolation violation)
    {
        violation = default;
        ReadOnlySpan<byte> chunk = _buffer.AsSpan(_length, count);
        _length += count;
        if (Kind == MessageKind.Text && !_utf8.TryAppend(chunk))
            return Fail(CloseCode.InvalidPayloadData, "text message is not valid UTF-8", out violation);
        return true;
    }

    /// <summary>Takes a message whose one frame was accepted by <see cref="TryBeginFrame"/> from where it lies,
    /// unmasked, without copying it: it is validated as <see cref="TryCommit"/> does and is the payload
    /// <see cref="TryComplete"/> hands out.</summary>
    public bool TryTakeWhole(ReadOnlyMemory<byte> payload, out ProtocolViolation violation)
    {
        violation = default;
        _inPlace = payload;
        _length = payload.Length;
        if (Kind == MessageKind.Text && !_utf8.TryAppend(payload.Span))
            return Fail(CloseCode.InvalidPayloadData, "text message is not valid UTF-8", out violation);
        return true;
    }

    /// <summary>A whole message in one frame, taken where it lies without its frame being begun: what
    /// <see cref="TryBeginFrame"/>, <see cref="TryTakeWhole"/> and <see cref="TryComplete"/> do together for a
    /// frame the caller has checked. False, with nothing changed, when text is not UTF-8.</summary>
    public bool TryTakeMessage(MessageKind kind, ReadOnlyMemory<byte> payload)
    {
        // The check the validator makes of whole characters (§8.1), on the whole text at once.
        if (kind == MessageKind.Text && !System.Text.Unicode.Utf8.IsValid(payload.Span)) return false;
        Restart();
        Kind = kind;
        _inPlace = payload;
        _length = payload.Length;
        return true;
    }

    /// <summary>Ends the message after its final frame; the payload stays valid until
    /// <see cref="ReleaseIfComplete"/> or <see cref="Release"/>.</summary>
    public bool TryComplete(out ReadOnlyMemory<byte> payload, out ProtocolViolation violation)
    {
        IsOpen = false;
        payload = _inPlace.IsEmpty ? _buffer.AsMemory(0, _length) : _inPlace;

        // §5.6: "the whole message MUST contain valid UTF-8" — a character cut by the end is not.
        if (Kind == MessageKind.Text && !_utf8.TryComplete())
            return Fail(CloseCode.InvalidPayloadData, "text message ends inside a UTF-8 sequence", out violation);
        violation = default;
        return true;
    }

    /// <summary>Returns the buffer unless a message is still being assembled in it.</summary>
    public void ReleaseIfComplete()
    {
        if (!IsOpen)
            Release();
    }

    /// <summary>Drops the message in progress, if any, and returns the buffer to the pool.</summary>
    public void Release()
    {
        if (_buffer is not null)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = null;
        }
        Restart();
    }

    // Empties the message and keeps the buffer, for the next message of the same read.
    private void Restart()
    {
        _inPlace = default;
        _length = 0;
        _wireLength = 0;
        _utf8.Reset();
        IsOpen = false;
    }

    private void Grow(int needed)
    {
        long doubled = (long)(_buffer?.Length ?? MinimumBuffer / 2) * 2;
        int size = (int)Math.Min(Math.Max(doubled, _announcedEnd), _maxBuffer);
        byte[] larger = ArrayPool<byte>.Shared.Rent(Math.Max(needed, size));
        if (_buffer is not null)
        {
            _buffer.AsSpan(0, _length).CopyTo(larger);
            ArrayPool<byte>.Shared.Return(_buffer);
        }

        _buffer = larger;
    }

    private static bool Fail(CloseCode code, string reason, out ProtocolViolation violation)
    {
        violation = new ProtocolViolation(code, reason);
        return false;
    }
}
