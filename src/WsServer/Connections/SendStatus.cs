namespace WsServer.Connections;

/// <summary>What became of a non-waiting send (<see cref="WebSocketConnection.TrySend(string)"/>).</summary>
public enum SendStatus
{
    /// <summary>The frame is queued and will be sent in order.</summary>
    Queued,
    /// <summary>The send queue is over its limit; nothing was queued. Wait with
    /// <see cref="WebSocketConnection.SendAsync(string, CancellationToken)"/> or drop the message.</summary>
    QueueFull,
    /// <summary>The connection is closing or closed; nothing was queued.</summary>
    Closed,
}
