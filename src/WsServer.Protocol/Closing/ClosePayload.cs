namespace WsServer.Protocol.Closing;

/// <summary>The body of a close frame (RFC 6455 §5.5.1): empty, or a 2-byte code and a UTF-8 reason.</summary>
public static class ClosePayload
{
    /// <summary>The largest reason that fits a control frame: 125 bytes less the code.</summary>
    public const int MaxReasonBytes = 123;

    /// <summary>True for a code that may appear in a close frame on the wire (§7.4): 1000-1003,
    /// 1007-1014 and 3000-4999.</summary>
    public static bool IsSendable(ushort code) => throw new NotImplementedException();

    /// <summary>Writes code and reason into <paramref name="destination"/> (at least 125 bytes),
    /// truncating the reason at a character boundary to fit, and returns the bytes written.</summary>
    public static int Write(Span<byte> destination, CloseCode code, ReadOnlySpan<char> reason) =>
        throw new NotImplementedException();

    /// <summary>Parses a received close payload. An empty payload gives a null code. A 1-byte
    /// payload or an unsendable code fails with 1002, a reason that is not UTF-8 with 1007.</summary>
    public static bool TryParse(ReadOnlySpan<byte> payload, out CloseCode? code, out string reason,
        out ProtocolViolation violation) => throw new NotImplementedException();
}
