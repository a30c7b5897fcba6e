namespace WsServer.Connections;

/// <summary>Thrown by <c>SendAsync</c> under <see cref="SlowConsumerPolicy.Drop"/> when the connection's
/// send queue is over its limit: the message was not queued.</summary>
public sealed class SendQueueFullException : InvalidOperationException
{
    /// <summary>Creates the exception for connection <paramref name="connectionId"/>.</summary>
    public SendQueueFullException(long connectionId)
        : base($"The send queue of WebSocket connection {connectionId} is over its limit; the message was dropped.") =>
        ConnectionId = connectionId;

    /// <summary>The connection's <see cref="ConnectionInfo.Id"/>.</summary>
    public long ConnectionId { get; }
}
