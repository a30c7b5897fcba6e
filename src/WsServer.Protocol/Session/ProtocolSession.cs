using System.Buffers;
using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using WsServer.Protocol.Closing;
using WsServer.Protocol.Framing;
using WsServer.Protocol.Messages;

namespace WsServer.Protocol.Session;

/// <summary>One end of a WebSocket connection after the handshake: bytes in, events and bytes out,
/// with the RFC's automatic replies (pong for ping, close echo, failing close). Not thread-safe, except that
/// <see cref="TryReadDataEvent"/> may run beside the writing methods.</summary>
/// <remarks>
/// Reading is a loop over frames: a header (<see cref="FrameReader"/>), then its payload, copied and
/// unmasked as it arrives, either into a 125-byte buffer for control frames (which §5.4 allows
/// between the fragments of a message) or into the <see cref="MessageAssembler"/>, which validates
/// text chunk by chunk and owns a pooled buffer only while a message is being assembled or has just
/// been delivered; with <see cref="ProtocolOptions.ReadMessagesInPlace"/>, a message in one frame that the
/// input holds in one piece is unmasked and validated where it lies instead. A payload chunk goes: unmask,
/// then (seam for permessage-deflate, RFC 7692) inflate when the message is compressed
/// (<c>ProtocolSession.Compression.cs</c>), then UTF-8 validation and assembly; RSV1 is accepted only when
/// permessage-deflate was negotiated.
/// </remarks>
public sealed partial class ProtocolSession : IDisposable
{
    private readonly FrameReader _reader;
    private MessageAssembler _message; // a mutable struct: used in place, never copied
    private byte[]? _control;
    private FrameHeader _frame;
    private bool _inPayload;
    private int _fragments; // the frames of the data message in progress
    private long _payloadRemaining;
    private int _controlLength;
    private int _keyOffset;
    private StrongBox<ProtocolViolation>? _failing; // found while reading data without replies: failed at the next call with them

    /// <summary>Starts a session in the <see cref="SessionState.Open"/> state.</summary>
    /// <param name="role">The role this session speaks for: a server expects masked frames and
    /// sends unmasked ones, a client the reverse.</param>
    /// <param name="options">Limits; null for <see cref="ProtocolOptions.Default"/>.</param>
    public ProtocolSession(EndpointRole role, ProtocolOptions? options = null)
    {
        Role = role;
        Options = options ?? ProtocolOptions.Default;
        _reader = FrameReader.Shared(role, Options.MaxMessageSize, allowRsv1: Options.Deflate is not null);
        _message = new MessageAssembler(Options.MaxMessageSize);
        if (Options.StreamMessages) _parts = new MessageParts(Options.MaxMessageSize);
    }

    /// <summary>The role this session speaks for.</summary>
    public EndpointRole Role { get; }

    /// <summary>The options in force.</summary>
    public ProtocolOptions Options { get; }

    /// <summary>Where the session is in the closing handshake.</summary>
    public SessionState State { get; private set; }

    /// <summary>The size of the message assembly buffer held, 0 when idle.</summary>
    internal int BufferedBytesCapacity => _message.Capacity + (_parts?.Capacity ?? 0);

    /// <summary>Reads the next event. Consumes whole frames and partial payloads (so text is validated
    /// as it streams in); leaves only an incomplete frame header unconsumed, and, with
    /// <see cref="ProtocolOptions.ReadWholeFramesUpTo"/>, a small message in one frame that has arrived in part.
    /// Returns NeedMoreData when all usable input is consumed, InvalidData (with the failing close already in
    /// <paramref name="replies"/>) on a protocol violation.</summary>
    /// <remarks>
    /// <para>Done: <paramref name="evt"/> is a message, ping, pong or the peer's close; call again for
    /// the next one. The event's payload belongs to the session and is valid until the next call.</para>
    /// <para>A ping is answered with a pong in <paramref name="replies"/> unless this side already sent
    /// a close. The peer's close is echoed (its code, no reason; an empty close with an empty close)
    /// unless this side already sent one; either way the state becomes <see cref="SessionState.Closed"/>.</para>
    /// <para>InvalidData: <paramref name="evt"/> is a <see cref="ProtocolEventKind.Violation"/> with the
    /// close code; the failing close frame was written to <paramref name="replies"/> (unless this side
    /// had already sent a close, since a second one is not allowed) and the state is
    /// <see cref="SessionState.Closed"/>: flush the replies and close the connection.</para>
    /// <para>Once closed, every call consumes and ignores all input and returns NeedMoreData.</para>
    /// </remarks>
    public OperationStatus TryReadEvent(ref ReadOnlySequence<byte> input, IBufferWriter<byte> replies,
        out ProtocolEvent evt)
    {
        ArgumentNullException.ThrowIfNull(replies);

        _parts?.AfterDelivery();
        if (_failing is { } failing)
        {
            _failing = null;
            return Fail(failing.Value, replies, out evt);
        }
        if (State == SessionState.Closed)
        {
            // §1.4: "after receiving a control frame indicating the connection should be closed, a
            // peer discards any further data received."
            evt = default;
            input = input.Slice(input.End);
            return OperationStatus.NeedMoreData;
        }

        return Read(ref input, replies, out evt);
    }

    /// <summary>Reads the next event as <see cref="TryReadEvent"/> does while it asks nothing of the writing side:
    /// data messages, before the peer's close, on a session that does not stream its messages. Returns
    /// DestinationTooSmall when the next frame needs replies or a change of state (a control frame, which is
    /// left unread; a violation, which is kept): call <see cref="TryReadEvent"/> then. It touches only what
    /// reading uses, so a caller that guards writing with a lock can read data without it, while
    /// <see cref="TryReadEvent"/> and the writing methods go on under the lock.</summary>
    public OperationStatus TryReadDataEvent(ref ReadOnlySequence<byte> input, out ProtocolEvent evt)
    {
        evt = default;
        if (_parts is not null || _failing is not null || State == SessionState.Closed
            || (_inPayload && _frame.Opcode.IsControl())) // a control frame begun with replies ends with them
            return OperationStatus.DestinationTooSmall;
        return Read(ref input, replies: null, out evt);
    }

    private OperationStatus Read(ref ReadOnlySequence<byte> input, IBufferWriter<byte>? replies, out ProtocolEvent evt)
    {
        if (TryReadSmallMessage(ref input, out MessageKind kind, out ReadOnlyMemory<byte> payload))
        {
            evt = new ProtocolEvent(ProtocolEventKind.Message, kind, payload);
            return OperationStatus.Done;
        }
        var reader = new SequenceReader<byte>(input);
        OperationStatus status = ReadFrames(ref reader, replies, out evt);
        input = input.Slice(reader.Position);
        // The input is used up, so the last event's payload is no longer needed: a session waiting for the peer
        // holds no buffer. Until then the messages of one read share it.
        if (status == OperationStatus.NeedMoreData) _message.ReleaseIfComplete();
        return status;
    }

    /// <summary>Reads the next message when it is the usual frame (a whole text or binary message of up to 125
    /// bytes in one frame, as <see cref="TryReadDataEvent"/> would return it): true with its kind and payload,
    /// valid as an event's payload is. False, with the input untouched, for anything else: read it with
    /// <see cref="TryReadDataEvent"/> or <see cref="TryReadEvent"/>. A loop that reads many small messages makes
    /// no <see cref="ProtocolEvent"/> for them: an event built and copied per message costs a stalled copy.</summary>
    public bool TryReadSmallDataMessage(ref ReadOnlySequence<byte> input, out MessageKind kind, out ReadOnlyMemory<byte> payload)
    {
        if (_failing is null && State != SessionState.Closed) return TryReadSmallMessage(ref input, out kind, out payload);
        kind = default;
        payload = default;
        return false;
    }

    /// <summary>The usual frame, told by its first two bytes: a whole text or binary message of up to 125 bytes in
    /// one frame, no reserved bit set, masked as the role requires (§5.1), lying whole in the input's first piece,
    /// between messages. Read in place (<see cref="ProtocolOptions.ReadMessagesInPlace"/>) as the frame-by-frame
    /// path reads it, without its steps; any other frame, and text that is not UTF-8 (masked back), goes that way.</summary>
    private bool TryReadSmallMessage(ref ReadOnlySequence<byte> input, out MessageKind kind, out ReadOnlyMemory<byte> payload)
    {
        kind = default;
        payload = default;
        if (_inPayload || _parts is not null || _message.IsOpen || !Options.ReadMessagesInPlace) return false;
        ReadOnlyMemory<byte> first = FirstPiece(input);
        ReadOnlySpan<byte> span = first.Span;
        if (span.Length < 2 || span[0] is not (0x81 or 0x82)) return false;
        bool masked = (span[1] & 0x80) != 0;
        int length = span[1] & 0x7F;
        int headerLength = masked ? 6 : 2;
        if (masked != (Role == EndpointRole.Server) || length > 125 || length > Options.MaxMessageSize
            || span.Length < headerLength + length)
            return false;

        uint? key = masked ? BinaryPrimitives.ReadUInt32BigEndian(span[2..]) : null;
        Memory<byte> unmasked = UnmaskWhereItLies(first.Slice(headerLength, length), key);
        MessageKind read = span[0] == 0x81 ? MessageKind.Text : MessageKind.Binary;
        if (!_message.TryTakeMessage(read, unmasked))
        {
            UnmaskWhereItLies(unmasked, key); // masked back: XOR undoes itself
            return false;
        }
        input = After(input, headerLength + length);
        kind = read;
        payload = unmasked;
        return true;
    }

    // A socket reader's input is one array: read and advanced straight in it, not through the sequence's general
    // accessors, whose calls cost the one-step read a fifth of its time.
    private static ReadOnlyMemory<byte> FirstPiece(in ReadOnlySequence<byte> input) =>
        OneArray(input, out byte[]? array) ? new ReadOnlyMemory<byte>(array, input.Start.GetInteger(), (int)input.Length) : input.First;

    private static ReadOnlySequence<byte> After(in ReadOnlySequence<byte> input, int count) =>
        OneArray(input, out byte[]? array)
            ? new ReadOnlySequence<byte>(array, input.Start.GetInteger() + count, (int)input.Length - count)
            : input.Slice(count);

    // A sequence that starts in an array is that array's piece alone (segments and memory managers start elsewhere).
    private static bool OneArray(in ReadOnlySequence<byte> input, [NotNullWhen(true)] out byte[]? array)
    {
        array = input.Start.GetObject() as byte[];
        return array is not null;
    }

    /// <summary>Returns pooled buffers; the session is <see cref="SessionState.Closed"/> afterwards.</summary>
    public void Dispose()
    {
        _message.Release();
        ReleaseParts();
        _inPayload = false;
        State = SessionState.Closed;
        ReleaseCompression();
    }

    // Without replies (TryReadDataEvent): stops before a control frame or a header that breaks the protocol,
    // and keeps any other violation for the next call with replies.
    private OperationStatus ReadFrames(ref SequenceReader<byte> reader, IBufferWriter<byte>? replies,
        out ProtocolEvent evt)
    {
        while (true)
        {
            ProtocolViolation violation;
            if (_parts is not null)
            {
                // A streamed message: a full part is handed out before anything more is read.
                if (_parts.IsFull && TryTakePendingPart(out evt)) return OperationStatus.Done;
                if (_draining) return Drain(replies!, out evt);
            }
            if (!_inPayload)
            {
                long atHeader = reader.Consumed;
                OperationStatus header = _reader.TryReadHeader(ref reader, out _frame, out violation);
                if (header == OperationStatus.NeedMoreData)
                {
                    if (TryTakePendingPart(out evt)) return OperationStatus.Done;
                    evt = default;
                    return OperationStatus.NeedMoreData;
                }
                if (replies is null && (header != OperationStatus.Done || _frame.Opcode.IsControl()))
                {
                    reader.Rewind(reader.Consumed - atHeader);
                    evt = default;
                    return OperationStatus.DestinationTooSmall;
                }

                if (header == OperationStatus.Done && WaitsForRest(in reader))
                {
                    reader.Rewind(reader.Consumed - atHeader);
                    evt = default;
                    return OperationStatus.NeedMoreData;
                }
                if (header != OperationStatus.Done || !TryBeginFrame(out violation))
                    return Fail(violation, replies, out evt);
            }

            if (!TryReadPayload(ref reader, out violation))
                return Fail(violation, replies, out evt);
            if (_payloadRemaining > 0)
            {
                // The input ran out, or a streamed part is full: what arrived is handed out now.
                if (TryTakePendingPart(out evt)) return OperationStatus.Done;
                evt = default;
                return OperationStatus.NeedMoreData;
            }

            _inPayload = false;
            if (TryEndFrame(replies, out evt, out OperationStatus status))
                return status;
        }
    }

    /// <summary>A message in one frame that has arrived only in part and is left unread until the rest has
    /// (<see cref="ProtocolOptions.ReadWholeFramesUpTo"/>). Not one that fails now: a frame over the message limit, a
    /// frame while a fragmented message is open (§5.4), or text whose bytes so far are not UTF-8 (§8.1).</summary>
    private bool WaitsForRest(in SequenceReader<byte> reader)
    {
        long length = _frame.PayloadLength;
        if (length <= reader.Remaining || length > Options.ReadWholeFramesUpTo || length > Options.MaxMessageSize
            || !_frame.Fin || _frame.Rsv1 || _frame.Opcode is not (Opcode.Text or Opcode.Binary) || _parts is not null
            || _message.IsOpen)
            return false;
        return _frame.Opcode == Opcode.Binary || IsUtf8SoFar(reader.UnreadSequence);
    }

    private bool IsUtf8SoFar(ReadOnlySequence<byte> arrived)
    {
        Span<byte> chunk = stackalloc byte[256];
        var utf8 = default(Utf8Validator);
        int keyOffset = 0;
        foreach (ReadOnlyMemory<byte> segment in arrived)
        {
            for (ReadOnlySpan<byte> rest = segment.Span; !rest.IsEmpty;)
            {
                int count = Math.Min(rest.Length, chunk.Length);
                keyOffset = Unmask(rest[..count], chunk, _frame.MaskingKey, keyOffset);
                if (!utf8.TryAppend(chunk[..count])) return false;
                rest = rest[count..];
            }
        }
        return true;
    }

    private bool TryBeginFrame(out ProtocolViolation violation)
    {
        _inPayload = true;
        _payloadRemaining = _frame.PayloadLength;
        _keyOffset = 0;
        _controlLength = 0;
        if (!TryBeginCompressedFrame(out violation))
            return false;
        if (_frame.Opcode.IsControl())
        {
            _control ??= new byte[ClosePayload.MaxLength];
            violation = default;
            return true;
        }

        bool begun = _parts is null
            ? _message.TryBeginFrame(_frame, out violation, _compressed)
            : _parts.TryBeginFrame(_frame, _compressed, out violation);
        // §10.4 asks for limits; the size limit does not bound the frames of a message, and an endless run of
        // empty continuations makes no progress toward it: the frames are counted too.
        _fragments = _frame.Opcode == Opcode.Continuation ? _fragments + 1 : 1;
        if (begun && _fragments > Options.MaxFragmentsPerMessage)
        {
            violation = new ProtocolViolation(CloseCode.MessageTooBig, "message has too many fragments");
            return false;
        }
        return begun;
    }

    /// <summary>Copies and unmasks as much of the current payload as the input holds.</summary>
    private bool TryReadPayload(ref SequenceReader<byte> reader, out ProtocolViolation violation)
    {
        violation = default;
        bool control = _frame.Opcode.IsControl();
        if (!control && _parts is not null)
            return TryReadStreamedPayload(ref reader, out violation);
        if (!control && _compressed)
            return TryReadCompressedPayload(ref reader, out violation);
        if (!control && Options.ReadMessagesInPlace && _frame.Fin && _frame.Opcode != Opcode.Continuation
            && _payloadRemaining == _frame.PayloadLength && reader.UnreadSpan.Length >= _payloadRemaining)
            return TryReadInPlace(ref reader, out violation);
        while (_payloadRemaining > 0 && !reader.End)
        {
            ReadOnlySpan<byte> source = reader.UnreadSpan;
            int count = (int)Math.Min(source.Length, _payloadRemaining);
            Span<byte> destination = control
                ? _control.AsSpan(_controlLength, count)
                : _message.GetChunkBuffer(count);

            CopyPayload(source[..count], destination);
            reader.Advance(count);
            _payloadRemaining -= count;

            if (control)
                _controlLength += count;
            else if (!_message.TryCommit(count, out violation))
                return false;
        }

        return true;
    }

    /// <summary>A message in one frame whose payload the input holds in one piece: unmasked where it lies and
    /// handed out from there (<see cref="ProtocolOptions.ReadMessagesInPlace"/>), with no buffer rented and no copy.</summary>
    private bool TryReadInPlace(ref SequenceReader<byte> reader, out ProtocolViolation violation)
    {
        int length = (int)_payloadRemaining;
        // The rest of the reader's current segment, from where it is (the caller saw the payload fits in it).
        SequencePosition at = reader.Position;
        reader.Sequence.TryGet(ref at, out ReadOnlyMemory<byte> rest, advance: false);
        Memory<byte> payload = UnmaskWhereItLies(rest[..length], _frame.MaskingKey);
        reader.Advance(length);
        _payloadRemaining = 0;
        return _message.TryTakeWhole(payload, out violation);
    }

    // A payload in the caller's input (ReadMessagesInPlace: writable memory it owns), unmasked where it lies (§5.3).
    // Inlined: per message, a call here cost a fifth of the one-step read.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Memory<byte> UnmaskWhereItLies(ReadOnlyMemory<byte> payload, uint? maskingKey)
    {
        Memory<byte> writable = MemoryMarshal.AsMemory(payload);
        if (maskingKey is uint key) PayloadMask.Apply(writable.Span, key, keyOffset: 0);
        return writable;
    }

    /// <summary>Copies payload bytes out of the input, unmasking them when the frame is masked (§5.3).</summary>
    private void CopyPayload(ReadOnlySpan<byte> source, Span<byte> destination) =>
        _keyOffset = Unmask(source, destination, _frame.MaskingKey, _keyOffset);

    // Copies, unmasking with the key from keyOffset when there is one; returns the key offset for the next bytes.
    private static int Unmask(ReadOnlySpan<byte> source, Span<byte> destination, uint? maskingKey, int keyOffset)
    {
        if (maskingKey is uint key) return PayloadMask.Apply(source, destination, key, keyOffset);
        source.CopyTo(destination);
        return keyOffset;
    }

    /// <summary>Acts on a frame whose payload is complete; false when it produced no event (a
    /// non-final fragment).</summary>
    private bool TryEndFrame(IBufferWriter<byte>? replies, out ProtocolEvent evt, out OperationStatus status)
    {
        status = OperationStatus.Done;
        ReadOnlyMemory<byte> control = _control.AsMemory(0, _controlLength);
        switch (_frame.Opcode)
        {
            case Opcode.Ping:
                // §5.5.2: "Upon receipt of a Ping frame, an endpoint MUST send a Pong frame in response,
                // unless it already received a Close frame." and "A Pong frame sent in response to a
                // Ping frame must have identical "Application data"". Having sent a close, we send
                // nothing more (§5.5.1).
                if (State == SessionState.Open)
                    WriteControlFrame(replies!, Opcode.Pong, control.Span);
                evt = new ProtocolEvent(ProtocolEventKind.Ping, default, control);
                return true;

            case Opcode.Pong:
                evt = new ProtocolEvent(ProtocolEventKind.Pong, default, control);
                return true;

            case Opcode.Close:
                status = ReadClose(control, replies!, out evt);
                return true;

            default:
                if (!_frame.Fin)
                {
                    evt = default;
                    return false;
                }

                if (_parts is not null)
                {
                    evt = default;
                    if (!_compressed) status = CompleteParts(replies!, out evt);
                    else BeginDraining();
                    return !_compressed;
                }

                if (!TryEndCompressedMessage(out ProtocolViolation violation)
                    || !_message.TryComplete(out ReadOnlyMemory<byte> payload, out violation))
                {
                    status = Fail(violation, replies, out evt);
                    return true;
                }

                evt = new ProtocolEvent(ProtocolEventKind.Message, _message.Kind, payload);
                return true;
        }
    }

    private OperationStatus ReadClose(ReadOnlyMemory<byte> payload, IBufferWriter<byte> replies, out ProtocolEvent evt)
    {
        if (!ClosePayload.TryParse(payload.Span, out CloseCode? code, out string reason, out ProtocolViolation violation))
            return Fail(violation, replies, out evt);

        // §5.5.1: "If an endpoint receives a Close frame and did not previously send a Close frame,
        // the endpoint MUST send a Close frame in response. (When sending a Close frame in response,
        // the endpoint typically echos the status code it received.)"
        if (State == SessionState.Open)
            WriteCloseFrame(replies, code, reason: null);
        State = SessionState.Closed;
        _message.Release();
        ReleaseParts();
        evt = new ProtocolEvent(ProtocolEventKind.Close, default, payload, code, reason);
        return OperationStatus.Done;
    }

    /// <summary>Fails the connection (§7.1.7): the close frame with the violation's code, unless one
    /// was already sent, then the Closed state.</summary>
    private OperationStatus Fail(ProtocolViolation violation, IBufferWriter<byte>? replies, out ProtocolEvent evt)
    {
        if (replies is null)
        {
            // Reading data without replies: the failing close is written, and the state changed, at the next call with them.
            _failing = new StrongBox<ProtocolViolation>(violation);
            evt = default;
            return OperationStatus.DestinationTooSmall;
        }
        // §7.1.7: "If _The WebSocket Connection is Established_ prior to the point where the
        // endpoint is required to _Fail the WebSocket Connection_, the endpoint SHOULD send a Close
        // frame with an appropriate status code". Having already sent its Close frame, an
        // endpoint has nothing more to send (§5.5.1), so the code is only reported in the event.
        if (State == SessionState.Open)
            WriteCloseFrame(replies, violation.Code, violation.Reason);
        State = SessionState.Closed;
        _inPayload = false;
        _message.Release();
        ReleaseParts();
        evt = new ProtocolEvent(ProtocolEventKind.Violation, default, default, violation.Code, violation.Reason, violation);
        return OperationStatus.InvalidData;
    }
}
