namespace WsServer.Protocol.Closing;

/// <summary>A peer's breach of the protocol, with the close code the connection fails with.</summary>
/// <param name="Code">The close code to send (1002, 1007, 1009, ...).</param>
/// <param name="Reason">A short human sentence; safe to send to the peer as the close reason.</param>
public readonly record struct ProtocolViolation(CloseCode Code, string Reason);
