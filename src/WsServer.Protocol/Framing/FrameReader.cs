using System.Buffers;
using System.Buffers.Binary;
using System.Collections.Concurrent;
using WsServer.Protocol.Closing;

namespace WsServer.Protocol.Framing;

/// <summary>Reads frame headers (RFC 6455 §5.2) and enforces the rules a header alone can break.</summary>
/// <remarks>
/// The rules are checked as soon as the bytes they need are present: a reserved opcode fails on the
/// first two bytes even if the extended length has not arrived. Non-minimal length encodings
/// (126 followed by a 16-bit 5, say) are accepted: §5.2's "the minimal number of bytes MUST be
/// used to encode the length" binds the sender, and §10.7 lists no duty for the receiver to fail
/// on it, so the reader stays lenient, as most receivers are. The reader keeps no state between
/// calls, so one instance may serve a whole connection.
/// </remarks>
/// <param name="role">The role of the endpoint that receives the frames; it decides which masking is required.</param>
/// <param name="maxFrameSize">The largest data frame payload accepted, in bytes (the session's message limit).</param>
public sealed class FrameReader(EndpointRole role, long maxFrameSize = FrameReader.DefaultMaxFrameSize)
{
    /// <summary>The default frame limit: 1 MiB, the default message limit.</summary>
    public const long DefaultMaxFrameSize = 1024 * 1024;

    private readonly long _maxFrameSize = maxFrameSize;

    /// <summary>The role of the endpoint that receives the frames.</summary>
    public EndpointRole Role { get; } = role;

    /// <summary>RSV1 may be set: an extension that defines it (permessage-deflate, RFC 7692) was negotiated.
    /// A data frame may then be slightly larger than the message limit, since an incompressible
    /// message grows when deflated (zlib with a small memLevel writes many small stored blocks, 5 bytes
    /// each): one eighth more is allowed. The limit on the inflated size still holds, and is what matters
    /// for memory, since a compressed payload is inflated as it streams in.</summary>
    internal bool AllowRsv1
    {
        get => _compressedFrameSlack > 0;
        init => _compressedFrameSlack = value ? (_maxFrameSize >> 3) + 1024 : 0;
    }

    private readonly long _compressedFrameSlack;

    // One per setting a process uses (a server has one or a few): the sessions share them.
    private static readonly ConcurrentDictionary<(EndpointRole, long, bool), FrameReader> s_shared = new();

    /// <summary>The reader for these settings, shared: it keeps no state, so a server's connections share one rather
    /// than each holding its own.</summary>
    internal static FrameReader Shared(EndpointRole role, long maxFrameSize, bool allowRsv1) =>
        s_shared.GetOrAdd((role, maxFrameSize, allowRsv1),
            static key => new FrameReader(key.Item1, key.Item2) { AllowRsv1 = key.Item3 });

    /// <summary>Reads one frame header (2 to 14 bytes), enforcing RFC 6455 §5.1, §5.2 and §5.5 and the
    /// frame size limit.</summary>
    /// <returns>Done: <paramref name="header"/> is set and <paramref name="input"/> is advanced past the
    /// header, to the payload. NeedMoreData: the header is incomplete and nothing is consumed.
    /// InvalidData: the header breaks a rule, <paramref name="violation"/> says which, nothing is consumed.</returns>
    public OperationStatus TryReadHeader(ref SequenceReader<byte> input, out FrameHeader header,
        out ProtocolViolation violation)
    {
        header = default;
        violation = default;

        // The first up to 14 unread bytes, not consumed: the current segment when it holds them
        // all (the common case), else a copy.
        Span<byte> buffer = stackalloc byte[FrameWriter.MaxHeaderLength];
        scoped ReadOnlySpan<byte> bytes = input.UnreadSpan;
        if (bytes.Length < buffer.Length && bytes.Length < input.Remaining)
        {
            buffer = buffer[..(int)Math.Min(input.Remaining, buffer.Length)];
            input.TryCopyTo(buffer);
            bytes = buffer;
        }

        if (bytes.Length < 2)
            return OperationStatus.NeedMoreData;

        bool fin = (bytes[0] & 0x80) != 0;
        bool rsv1 = (bytes[0] & 0x40) != 0;
        bool rsv2 = (bytes[0] & 0x20) != 0;
        bool rsv3 = (bytes[0] & 0x10) != 0;
        var opcode = (Opcode)(bytes[0] & 0x0F);
        bool masked = (bytes[1] & 0x80) != 0;
        int shortLength = bytes[1] & 0x7F;

        // §5.2: "RSV1, RSV2, RSV3: 1 bit each. MUST be 0 unless an extension is negotiated that
        // defines meanings for non-zero values. If a nonzero value is received and none of the
        // negotiated extensions defines the meaning of such a nonzero value, the receiving
        // endpoint MUST _Fail the WebSocket Connection_."
        if ((rsv1 && !AllowRsv1) || rsv2 || rsv3)
            return Fail(CloseCode.ProtocolError, "reserved bit set without a negotiated extension", out violation);

        // §5.2: "If an unknown opcode is received, the receiving endpoint MUST _Fail the
        // WebSocket Connection_."
        if (!opcode.IsDefined())
            return Fail(CloseCode.ProtocolError, "reserved opcode", out violation);

        // §5.1: "The server MUST close the connection upon receiving a frame that is not masked."
        if (Role == EndpointRole.Server && !masked)
            return Fail(CloseCode.ProtocolError, "a client frame must be masked", out violation);

        // §5.1: "A client MUST close a connection if it detects a masked frame."
        if (Role == EndpointRole.Client && masked)
            return Fail(CloseCode.ProtocolError, "a server frame must not be masked", out violation);

        // §5.5: "All control frames ... MUST NOT be fragmented."
        if (opcode.IsControl() && !fin)
            return Fail(CloseCode.ProtocolError, "fragmented control frame", out violation);

        int lengthBytes = shortLength switch { 126 => 2, 127 => 8, _ => 0 };
        int headerLength = 2 + lengthBytes + (masked ? 4 : 0);
        if (bytes.Length < headerLength)
            return OperationStatus.NeedMoreData;

        long length;
        if (lengthBytes == 2)
        {
            length = BinaryPrimitives.ReadUInt16BigEndian(bytes[2..]);
        }
        else if (lengthBytes == 8)
        {
            ulong wide = BinaryPrimitives.ReadUInt64BigEndian(bytes[2..]);

            // §5.2: "If 127, the following 8 bytes interpreted as a 64-bit unsigned integer (the
            // most significant bit MUST be 0) are the payload length."
            if (wide > long.MaxValue)
                return Fail(CloseCode.ProtocolError, "payload length has its most significant bit set", out violation);
            length = (long)wide;
        }
        else
        {
            length = shortLength;
        }

        // §5.5: "All control frames MUST have a payload length of 125 bytes or less"; checked on
        // the decoded length, since a non-minimal encoding of a short length is accepted.
        if (opcode.IsControl() && length > 125)
            return Fail(CloseCode.ProtocolError, "control frame over 125 bytes", out violation);

        // §10.4: "Such an implementation SHOULD impose a limit on frame sizes and the total message
        // size after reassembly from multiple frames."; §7.4.1: 1009 is for "a message that is too
        // big for it to process".
        if (!opcode.IsControl() && length - _compressedFrameSlack > _maxFrameSize)
            return Fail(CloseCode.MessageTooBig, "message too big", out violation);

        uint? key = masked ? BinaryPrimitives.ReadUInt32BigEndian(bytes[(2 + lengthBytes)..]) : null;
        header = new FrameHeader(fin, rsv1, opcode, length, key) { Rsv2 = rsv2, Rsv3 = rsv3 };
        input.Advance(headerLength);
        return OperationStatus.Done;
    }

    private static OperationStatus Fail(CloseCode code, string reason, out ProtocolViolation violation)
    {
        violation = new ProtocolViolation(code, reason);
        return OperationStatus.InvalidData;
    }
}
