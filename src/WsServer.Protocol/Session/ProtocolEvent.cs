using WsServer.Protocol.Closing;
using WsServer.Protocol.Messages;

namespace WsServer.Protocol.Session;

/// <summary>What a <see cref="ProtocolSession"/> read.</summary>
public enum ProtocolEventKind
{
    /// <summary>A whole data message; in a session that streams messages
    /// (<see cref="ProtocolOptions.StreamMessages"/>), the last part of one (possibly empty), which ends it.</summary>
    Message,
    /// <summary>A ping; the pong was already written to the replies.</summary>
    Ping,
    /// <summary>A pong.</summary>
    Pong,
    /// <summary>The peer's close frame; the echo (if owed) was already written to the replies.</summary>
    Close,
    /// <summary>The peer broke the protocol; the failing close frame was already written.</summary>
    Violation,
    /// <summary>A part of a data message that has not ended yet, as it arrived; only in a session that
    /// streams messages (<see cref="ProtocolOptions.StreamMessages"/>). Its last part comes as
    /// <see cref="Message"/>.</summary>
    MessagePart,
}

/// <summary>One event read by <see cref="ProtocolSession.TryReadEvent"/>. <see cref="Payload"/> is
/// owned by the session and valid until the next call on it (read in place, <see cref="ProtocolOptions.ReadMessagesInPlace"/>,
/// it lies in the caller's input, and is valid while that input is too).</summary>
public readonly record struct ProtocolEvent(
    ProtocolEventKind Kind,
    MessageKind MessageKind,
    ReadOnlyMemory<byte> Payload,
    CloseCode? CloseCode = null,
    string? CloseReason = null,
    ProtocolViolation? Violation = null);
