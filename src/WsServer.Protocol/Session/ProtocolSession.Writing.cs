using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Text;
using WsServer.Protocol.Closing;
using WsServer.Protocol.Compression;
using WsServer.Protocol.Framing;
using WsServer.Protocol.Messages;

namespace WsServer.Protocol.Session;

/// <content>The sending side: data messages, pings, pongs and the closing handshake.</content>
public sealed partial class ProtocolSession
{
    /// <summary>Writes a whole message as one frame (masked in the client role).</summary>
    /// <remarks>A text payload must already be valid UTF-8; it is not checked here. Allocates nothing
    /// when uncompressed; compressed (RFC 7692 negotiated, payload at least
    /// <see cref="PerMessageDeflateOptions.Threshold"/> bytes) with RSV1 set.</remarks>
    /// <exception cref="InvalidOperationException">A close frame was sent or received: §5.5.1,
    /// "The application MUST NOT send any more data frames after sending a Close frame."</exception>
    public void WriteMessage(IBufferWriter<byte> output, MessageKind kind, ReadOnlySpan<byte> payload)
    {
        ArgumentNullException.ThrowIfNull(output);
        Opcode opcode = DataOpcode(kind);
        EnsureOpen();
        if (!TryWriteCompressed(output, opcode, payload))
            FrameWriter.WriteFrame(output, opcode, payload, maskingKey: NextMaskingKey());
    }

    /// <summary>Writes the header of a whole message's frame into <paramref name="header"/> (room for 14 bytes),
    /// for a caller that sends the payload from where it lies, after the header, rather than copying it behind
    /// it: the frame <see cref="WriteMessage(IBufferWriter{byte}, MessageKind, ReadOnlySpan{byte})"/> writes, in
    /// two pieces. False, with nothing written, when the payload cannot go as it is: masked in the client role
    /// (§5.3), or compressed (RFC 7692).</summary>
    /// <exception cref="InvalidOperationException">A close frame was sent or received.</exception>
    /// <exception cref="ArgumentException"><paramref name="header"/> has less room than 14 bytes.</exception>
    public bool TryWriteMessageHeader(Span<byte> header, MessageKind kind, int payloadLength, out int written)
    {
        Opcode opcode = DataOpcode(kind);
        EnsureOpen();
        ArgumentOutOfRangeException.ThrowIfLessThan(header.Length, FrameWriter.MaxHeaderLength, nameof(header));
        written = 0;
        if (Role == EndpointRole.Client || ShouldCompress(payloadLength)) return false;
        written = FrameWriter.WriteHeaderInto(header, new FrameHeader(Fin: true, Rsv1: false, opcode, payloadLength));
        return true;
    }

    /// <summary>Writes one frame of a message sent in parts (RFC 6455 §5.4): the <paramref name="first"/> with
    /// the message's opcode, the others as continuations, FIN on the <paramref name="last"/>; never
    /// compressed (RFC 7692 §6 lets each message choose, and a streamed message goes plain).</summary>
    /// <remarks>The caller keeps the parts of one message together: §5.4, "the fragments of one message MUST
    /// NOT be interleaved between the fragments of another message"; control frames may go between them.
    /// A text payload is not checked here.</remarks>
    /// <exception cref="InvalidOperationException">A close frame was sent or received.</exception>
    public void WriteMessagePart(IBufferWriter<byte> output, MessageKind kind, ReadOnlySpan<byte> payload, bool first, bool last)
    {
        ArgumentNullException.ThrowIfNull(output);
        Opcode opcode = first ? DataOpcode(kind) : Opcode.Continuation;
        EnsureOpen();
        FrameWriter.WriteFrame(output, opcode, payload, fin: last, maskingKey: NextMaskingKey());
    }

    /// <summary>Writes a whole text message given as characters, encoded to UTF-8 straight into
    /// <paramref name="output"/>; never compressed (see <see cref="ShouldCompress"/> to decide first).</summary>
    /// <exception cref="InvalidOperationException">A close frame was sent or received.</exception>
    public void WriteText(IBufferWriter<byte> output, ReadOnlySpan<char> text)
    {
        ArgumentNullException.ThrowIfNull(output);
        EnsureOpen();
        int length = Encoding.UTF8.GetByteCount(text);
        uint? key = NextMaskingKey();
        FrameWriter.WriteHeader(output, new FrameHeader(Fin: true, Rsv1: false, Opcode.Text, length, key));
        Span<byte> payload = output.GetSpan(length)[..length];
        Encoding.UTF8.GetBytes(text, payload);
        if (key is uint mask) PayloadMask.Apply(payload, mask, 0);
        output.Advance(length);
    }

    /// <summary>True when a data message of <paramref name="payloadLength"/> bytes goes compressed:
    /// permessage-deflate was agreed and the payload reaches <see cref="PerMessageDeflateOptions.Threshold"/>.</summary>
    public bool ShouldCompress(int payloadLength) =>
        Options.Deflate is not null && payloadLength >= Options.Compression.Threshold;

    /// <summary>The settings a frame compressed once for many server sessions must be made with to be
    /// sent on this one: null unless this is a server session that agreed permessage-deflate with
    /// <c>server_no_context_takeover</c> (§7.1.1.1) and the payload reaches the threshold, in which
    /// case such a frame goes uncompressed.</summary>
    public SharedDeflate? SharedDeflateFor(int payloadLength)
    {
        if (Role != EndpointRole.Server || !ShouldCompress(payloadLength) || !Options.Deflate!.ServerNoContextTakeover)
            return null;
        return new SharedDeflate(Options.Deflate.ServerMaxWindowBits, Options.Compression.CompressionLevel,
            Options.Compression.MemoryLevel);
    }

    /// <summary>Compresses a data message's payload for <see cref="WriteMessage(IBufferWriter{byte}, MessageKind, in CompressedPayload)"/>.
    /// This is the one step of writing that may take long, so it is separate: a caller that shares the
    /// session between threads compresses outside its lock, but must write the compressed messages in
    /// the order they were compressed (the compression context carries over between messages, §7.2.1),
    /// and must not compress two messages at once.</summary>
    /// <remarks>It reads and changes only the compression context, never the session's state: whether the
    /// message may still be sent is decided when it is written.</remarks>
    /// <exception cref="InvalidOperationException">permessage-deflate was not agreed.</exception>
    public CompressedPayload Compress(ReadOnlySpan<byte> payload)
    {
        if (Options.Deflate is not { } parameters) throw new InvalidOperationException("permessage-deflate was not agreed.");
        _deflater ??= new PayloadDeflater(parameters.WindowBits(Role), parameters.NoContextTakeover(Role),
            Options.Compression.CompressionLevel, Options.Compression.MemoryLevel);
        return _deflater.Compress(payload);
    }

    /// <summary>Writes a message compressed by <see cref="Compress"/> as one frame with RSV1 set (RFC 7692 §6).</summary>
    /// <exception cref="InvalidOperationException">A close frame was sent or received.</exception>
    public void WriteMessage(IBufferWriter<byte> output, MessageKind kind, in CompressedPayload compressed)
    {
        ArgumentNullException.ThrowIfNull(output);
        Opcode opcode = DataOpcode(kind);
        EnsureOpen();
        FrameWriter.WriteFrame(output, opcode, compressed.Span, rsv1: true, maskingKey: NextMaskingKey());
    }

    /// <summary>Writes a ping of at most 125 bytes.</summary>
    /// <exception cref="ArgumentException">The payload is over 125 bytes (§5.5).</exception>
    /// <exception cref="InvalidOperationException">A close frame was sent or received.</exception>
    public void WritePing(IBufferWriter<byte> output, ReadOnlySpan<byte> payload) =>
        WriteControl(output, Opcode.Ping, payload);

    /// <summary>Writes a pong of at most 125 bytes (an unsolicited pong is a heartbeat, §5.5.3).</summary>
    /// <exception cref="ArgumentException">The payload is over 125 bytes (§5.5).</exception>
    /// <exception cref="InvalidOperationException">A close frame was sent or received.</exception>
    public void WritePong(IBufferWriter<byte> output, ReadOnlySpan<byte> payload) =>
        WriteControl(output, Opcode.Pong, payload);

    /// <summary>Starts the closing handshake; a null code sends an empty close frame.</summary>
    /// <remarks>The state becomes <see cref="SessionState.CloseSent"/>: messages are still read until
    /// the peer's close arrives. The reason is truncated at a character boundary to
    /// <see cref="ClosePayload.MaxReasonBytes"/> bytes.</remarks>
    /// <exception cref="ArgumentException">The code may not be sent (see <see cref="ClosePayload.IsSendable"/>),
    /// or a reason was given without a code.</exception>
    /// <exception cref="InvalidOperationException">A close frame was already sent or received.</exception>
    public void WriteClose(IBufferWriter<byte> output, CloseCode? code = CloseCode.NormalClosure, string? reason = null)
    {
        ArgumentNullException.ThrowIfNull(output);
        if (code is null && !string.IsNullOrEmpty(reason))
            throw new ArgumentException("A close reason needs a close code (§5.5.1).", nameof(reason));
        if (code is CloseCode value && !ClosePayload.IsSendable((ushort)value))
            throw new ArgumentException($"Close code {(ushort)value} may not be sent on the wire.", nameof(code));
        EnsureOpen();
        WriteCloseFrame(output, code, reason);
        State = SessionState.CloseSent;
    }

    private void WriteControl(IBufferWriter<byte> output, Opcode opcode, ReadOnlySpan<byte> payload)
    {
        ArgumentNullException.ThrowIfNull(output);

        // §5.5: "All control frames MUST have a payload length of 125 bytes or less".
        if (payload.Length > ClosePayload.MaxLength)
            throw new ArgumentException("A control frame payload is at most 125 bytes.", nameof(payload));
        EnsureOpen();
        WriteControlFrame(output, opcode, payload);
    }

    private void WriteControlFrame(IBufferWriter<byte> output, Opcode opcode, ReadOnlySpan<byte> payload) =>
        FrameWriter.WriteFrame(output, opcode, payload, maskingKey: NextMaskingKey());

    private void WriteCloseFrame(IBufferWriter<byte> output, CloseCode? code, string? reason)
    {
        Span<byte> payload = stackalloc byte[ClosePayload.MaxLength];
        int length = code is CloseCode value ? ClosePayload.Write(payload, value, reason) : 0;
        WriteControlFrame(output, Opcode.Close, payload[..length]);
    }

    // The throws are out of line, so these two stay small enough to be inlined into each message's write.
    private static Opcode DataOpcode(MessageKind kind) => kind switch
    {
        MessageKind.Text => Opcode.Text,
        MessageKind.Binary => Opcode.Binary,
        _ => ThrowNotAMessageKind(kind),
    };

    [DoesNotReturn]
    private static Opcode ThrowNotAMessageKind(MessageKind kind) =>
        throw new ArgumentOutOfRangeException(nameof(kind), kind, "Not a message kind.");

    /// <summary>§5.3: a fresh key per frame from the client, none from the server.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] // each message's write asks; the JIT left it a call
    private uint? NextMaskingKey() => Role == EndpointRole.Client ? PayloadMask.NewKey() : null;

    private void EnsureOpen()
    {
        if (State != SessionState.Open) ThrowNotOpen();
    }

    [DoesNotReturn]
    private void ThrowNotOpen() => throw new InvalidOperationException(State == SessionState.CloseSent
        ? "A close frame was sent: nothing more may be sent."
        : "The session is closed.");
}
