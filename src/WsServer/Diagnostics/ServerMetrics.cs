namespace WsServer.Diagnostics;

/// <summary>
/// The names of the server's instruments (System.Diagnostics.Metrics), all on one meter named
/// <see cref="MeterName"/>: read them with <c>dotnet-counters monitor --counters WsServer</c>,
/// OpenTelemetry (<c>AddMeter("WsServer")</c>) or a <c>MeterListener</c>. A server given an
/// <c>IMeterFactory</c> creates its meter there, so a host's metrics stay apart from another's.
/// </summary>
public static class ServerMetrics
{
    /// <summary>The meter's name.</summary>
    public const string MeterName = "WsServer";

    /// <summary>Open WebSocket connections ({connection}, up-down counter).</summary>
    public const string ConnectionsActive = "wsserver.connections.active";

    /// <summary>Upgrades accepted ({connection}, counter).</summary>
    public const string ConnectionsOpened = "wsserver.connections.opened";

    /// <summary>Connections ended ({connection}, counter), tagged <c>close.code</c> (1006 when no close was exchanged).</summary>
    public const string ConnectionsClosed = "wsserver.connections.closed";

    /// <summary>Upgrade requests answered with an HTTP error ({request}, counter), tagged <c>http.status</c>.</summary>
    public const string UpgradesRefused = "wsserver.upgrades.refused";

    /// <summary>Whole data messages received ({message}, counter).</summary>
    public const string MessagesReceived = "wsserver.messages.received";

    /// <summary>Data messages queued to be sent, replies, sends and broadcasts ({message}, counter).</summary>
    public const string MessagesSent = "wsserver.messages.sent";

    /// <summary>Bytes read from connections after their upgrade (By, counter).</summary>
    public const string BytesReceived = "wsserver.bytes.received";

    /// <summary>Bytes written to connections, handshake answers and frames (By, counter).</summary>
    public const string BytesSent = "wsserver.bytes.sent";

    /// <summary>Bytes waiting in the send queues of all open connections (By, observable up-down counter).</summary>
    public const string SendQueueBytes = "wsserver.send_queue.bytes";

    /// <summary>How long the handler took per message or posted item (s, histogram).</summary>
    public const string HandlerDuration = "wsserver.handler.duration";

    /// <summary>Round-trip time of a ping to its pong, keep-alive pings and PingAsync (ms, histogram).</summary>
    public const string RoundTripTime = "wsserver.connection.rtt";
}
