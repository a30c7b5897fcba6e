using System.Buffers.Binary;
using System.Text;
using System.Text.Unicode;

namespace WsServer.Protocol.Closing;

/// <summary>The body of a close frame (RFC 6455 §5.5.1): empty, or a 2-byte code and a UTF-8 reason.</summary>
public static class ClosePayload
{
    /// <summary>The largest reason that fits a control frame: 125 bytes less the code.</summary>
    public const int MaxReasonBytes = 123;

    /// <summary>The largest close payload: a control frame's limit (§5.5).</summary>
    public const int MaxLength = 125;

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>True for a code that may appear in a close frame on the wire (§7.4): 1000-1003,
    /// 1007-1014 and 3000-4999.</summary>
    /// <remarks>1004 is reserved, 1005, 1006 and 1015 "MUST NOT be set as a status code in a Close
    /// control frame by an endpoint" (§7.4.1), 1016-2999 are reserved for future RFCs, and 0-999
    /// are "not used" (§7.4.2). 1012-1014 were registered with IANA after the RFC.</remarks>
    public static bool IsSendable(ushort code) => code is (>= 1000 and <= 1003) or (>= 1007 and <= 1014)
        or (>= 3000 and <= 4999);

    /// <summary>Writes code and reason into <paramref name="destination"/> (at least 125 bytes),
    /// truncating the reason at a character boundary to fit, and returns the bytes written.</summary>
    /// <remarks>A destination shorter than 125 bytes truncates the reason further. Unpaired
    /// surrogates in the reason become U+FFFD, so the result is always valid UTF-8.</remarks>
    /// <exception cref="ArgumentException">The code is not <see cref="IsSendable">sendable</see>, or the
    /// destination cannot hold the code.</exception>
    public static int Write(Span<byte> destination, CloseCode code, ReadOnlySpan<char> reason)
    {
        if (!IsSendable((ushort)code))
            throw new ArgumentException($"Close code {(ushort)code} may not be sent on the wire.", nameof(code));
        if (destination.Length < 2)
            throw new ArgumentException("The destination cannot hold a close code.", nameof(destination));

        // §5.5.1: "the first two bytes of the body MUST be a 2-byte unsigned integer (in network
        // byte order) representing a status code".
        BinaryPrimitives.WriteUInt16BigEndian(destination, (ushort)code);

        // §5.5.1: "Following the 2-byte integer, the body MAY contain UTF-8-encoded data";
        // FromUtf16 stops before a character that does not fit, never inside one.
        Span<byte> room = destination[2..Math.Min(destination.Length, MaxLength)];
        Utf8.FromUtf16(reason, room, out _, out int written, replaceInvalidSequences: true, isFinalBlock: true);
        return 2 + written;
    }

    /// <summary>Parses a received close payload. An empty payload gives a null code. A 1-byte
    /// payload or an unsendable code fails with 1002, a reason that is not UTF-8 with 1007.</summary>
    /// <returns>True when the payload is well formed; <paramref name="violation"/> is set otherwise.</returns>
    public static bool TryParse(ReadOnlySpan<byte> payload, out CloseCode? code, out string reason,
        out ProtocolViolation violation)
    {
        code = null;
        reason = string.Empty;
        violation = default;

        // §5.5.1: "The Close frame MAY contain a body ... If there is a body, the first two bytes
        // of the body MUST be a 2-byte unsigned integer".
        if (payload.IsEmpty)
            return true;
        if (payload.Length == 1)
            return Fail(CloseCode.ProtocolError, "a close payload of 1 byte has no room for its code", out violation);

        // §7.4.1: 1005 "is a reserved value and MUST NOT be set as a status code in a Close
        // control frame by an endpoint" (likewise 1006, 1015 and the unassigned ranges).
        ushort value = BinaryPrimitives.ReadUInt16BigEndian(payload);
        if (!IsSendable(value))
            return Fail(CloseCode.ProtocolError, "invalid close code", out violation);

        // §5.5.1: the reason "is not guaranteed to be human readable" but is UTF-8-encoded data, and
        // §8.1 fails the connection on bytes that are not UTF-8.
        ReadOnlySpan<byte> text = payload[2..];
        if (!Utf8.IsValid(text))
            return Fail(CloseCode.InvalidPayloadData, "close reason is not valid UTF-8", out violation);

        code = (CloseCode)value;
        reason = text.IsEmpty ? string.Empty : StrictUtf8.GetString(text);
        return true;
    }

    private static bool Fail(CloseCode code, string reason, out ProtocolViolation violation)
    {
        violation = new ProtocolViolation(code, reason);
        return false;
    }
}
