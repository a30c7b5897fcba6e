namespace WsServer.Protocol.Session;

/// <summary>Where a session is in the closing handshake (RFC 6455 §7).</summary>
public enum SessionState
{
    /// <summary>Messages flow both ways.</summary>
    Open,
    /// <summary>This side sent a close frame and waits for the peer's.</summary>
    CloseSent,
    /// <summary>Both close frames were exchanged, or the connection failed: close TCP.</summary>
    Closed,
}
