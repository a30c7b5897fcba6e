namespace WsServer.Connections;

/// <summary>What a handler's read of a streamed message throws when the connection ends before the message
/// does: the peer went away, which is no fault of the handler's (logged at Debug when it escapes the handler).</summary>
internal sealed class MessageCutException() : IOException("The WebSocket connection ended before the message did.");
