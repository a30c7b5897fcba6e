namespace WsServer.Connections;

/// <summary>Posted to a connection's mailbox (so handed to <c>HandleInfoAsync</c>) when its send queue
/// goes back under its limit after a send found it full: the time to send what was held back
/// (uWebSockets' <c>drain</c>).</summary>
public sealed class SendQueueDrained
{
    private SendQueueDrained()
    {
    }

    /// <summary>The one instance.</summary>
    public static SendQueueDrained Instance { get; } = new();
}
