namespace WsServer.Connections;

/// <summary>Thrown by a send on a connection that is closing or closed.</summary>
public sealed class ConnectionClosedException : InvalidOperationException
{
    /// <summary>Creates the exception for connection <paramref name="connectionId"/>.</summary>
    public ConnectionClosedException(long connectionId)
        : base($"WebSocket connection {connectionId} is closing or closed; nothing more can be sent on it.") =>
        ConnectionId = connectionId;

    /// <summary>The connection's <see cref="ConnectionInfo.Id"/>.</summary>
    public long ConnectionId { get; }
}
