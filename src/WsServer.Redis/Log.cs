using Microsoft.Extensions.Logging;

namespace WsServer.Redis;

/// <summary>The backplane's logs (category <c>WsServer.Redis</c>); event ids 500 to 599.</summary>
internal static partial class Log
{
    [LoggerMessage(500, LogLevel.Information, "Backplane node {NodeId} connected to Redis at {Address}")]
    public static partial void Connected(ILogger logger, string nodeId, string address);

    [LoggerMessage(501, LogLevel.Warning, "Redis at {Address} is unreachable ({Message}); serving local clients only and retrying in the background")]
    public static partial void UnreachableAtStart(ILogger logger, string address, string message);

    [LoggerMessage(502, LogLevel.Warning, "Lost Redis at {Address} ({FailureType}: {Message}); messages published until it is back are dropped, and messages from other nodes are missed")]
    public static partial void ConnectionLost(ILogger logger, string address, string failureType, string message);

    [LoggerMessage(503, LogLevel.Information, "Reconnected to Redis at {Address} after {Gap}; {Dropped} messages published meanwhile were dropped")]
    public static partial void Reconnected(ILogger logger, string address, TimeSpan gap, long dropped);

    [LoggerMessage(504, LogLevel.Warning, "Publishing to Redis failed ({Message}); the message is dropped")]
    public static partial void PublishFailed(ILogger logger, string message);

    [LoggerMessage(505, LogLevel.Debug, "Ignored a message on {Channel} that is not a backplane envelope")]
    public static partial void NotAnEnvelope(ILogger logger, string channel);
}
