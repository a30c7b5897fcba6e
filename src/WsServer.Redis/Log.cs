using Microsoft.Extensions.Logging;

namespace WsServer.Redis;

/// <summary>The backplane's logs (category <c>WsServer.Redis</c>); event ids 500 to 599. Redis is named by
/// its endpoints only: never a password, never the client library's diagnostics.</summary>
internal static partial class Log
{
    [LoggerMessage(500, LogLevel.Information, "Backplane node {NodeId} connected to Redis at {Redis} ({Mode})")]
    public static partial void Connected(ILogger logger, string nodeId, string redis, string mode);

    [LoggerMessage(501, LogLevel.Warning, "Redis at {Redis} is unreachable ({Reason}); serving local subscribers only and retrying in the background")]
    public static partial void UnreachableAtStart(ILogger logger, string redis, string reason);

    [LoggerMessage(502, LogLevel.Warning, "Lost Redis at {Redis} ({Reason}); publishes wait in the queue (up to its bounds) until it is back, and messages from other nodes are missed")]
    public static partial void ConnectionLost(ILogger logger, string redis, string reason);

    [LoggerMessage(503, LogLevel.Information, "Reconnected to Redis at {Redis} after {Gap:0.0} s")]
    public static partial void Reconnected(ILogger logger, string redis, double gap);

    [LoggerMessage(504, LogLevel.Warning, "The queue toward Redis at {Redis} is full ({Messages} messages, {Bytes} bytes); publishes for the other nodes are dropped until it drains")]
    public static partial void QueueFull(ILogger logger, string redis, int messages, long bytes);

    [LoggerMessage(505, LogLevel.Debug, "Ignored a message on {Channel} that is not a backplane envelope")]
    public static partial void NotAnEnvelope(ILogger logger, string channel);

    [LoggerMessage(506, LogLevel.Warning, "The queue toward Redis at {Redis} drains again; {Dropped} messages were dropped for the other nodes over {Duration:0.0} s")]
    public static partial void QueueDrains(ILogger logger, string redis, long dropped, double duration);

    [LoggerMessage(507, LogLevel.Warning, "Redis at {Redis} did not confirm {Count} publishes ({Reason}); they may arrive late or not at all")]
    public static partial void Unconfirmed(ILogger logger, string redis, int count, string reason);

    [LoggerMessage(508, LogLevel.Error, "Redis at {Redis} refused this node's credentials ({Reason}); check the password and user; retrying in the background")]
    public static partial void AuthenticationFailed(ILogger logger, string redis, string reason);

    [LoggerMessage(510, LogLevel.Warning, "Redis at {Redis} refused a publish ({Message}); the message is dropped for the other nodes")]
    public static partial void Refused(ILogger logger, string redis, string message);

    [LoggerMessage(509, LogLevel.Error, "TLS with Redis at {Redis} failed ({Reason}); check sslHost and that this machine trusts the server's CA (ConfigureConnection, or SSL_CERT_FILE for the program); retrying in the background")]
    public static partial void TlsFailed(ILogger logger, string redis, string reason);
}
