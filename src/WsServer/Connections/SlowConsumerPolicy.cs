namespace WsServer.Connections;

/// <summary>What happens when a connection's send queue is over its limit (a peer that reads slower
/// than it is sent to).</summary>
public enum SlowConsumerPolicy
{
    /// <summary>The sender waits: <c>SendAsync</c> and the handler's replies wait for room, and the
    /// connection stops reading from the peer meanwhile (back-pressure). <c>TrySend</c> reports
    /// <see cref="SendStatus.QueueFull"/>.</summary>
    Wait,
    /// <summary>The connection is closed with 1008 (policy violation), as uWebSockets'
    /// <c>closeOnBackpressureLimit</c>; what was queued before is still written.</summary>
    Close,
    /// <summary>The send is dropped and reported: <c>TrySend</c> returns <see cref="SendStatus.QueueFull"/>,
    /// <c>SendAsync</c> throws <see cref="SendQueueFullException"/>, a handler's reply is dropped.</summary>
    Drop,
}
