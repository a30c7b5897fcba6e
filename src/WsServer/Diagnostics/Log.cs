using System.Net;
using Microsoft.Extensions.Logging;
using WsServer.Protocol.Closing;
using WsServer.Protocol.Handshake;

namespace WsServer.Diagnostics;

/// <summary>Every log line the server writes, source-generated so a disabled level costs nothing. The
/// event ids are stable (the README lists them); field names are the same wherever a field recurs
/// (ConnectionId, Remote, Path, CloseCode, Reason, StatusCode). Nothing is logged per message above
/// Debug. Each connection's lines carry a scope with its id, address and path.</summary>
internal static partial class Log
{
    /// <summary>The template of <see cref="ConnectionScope"/>'s state.</summary>
    public const string ConnectionScopeFormat = "Connection {ConnectionId} from {Remote} for {Path}";

    /// <summary>The scope of one connection's lines, from its upgrade on; none when the server logs nothing at
    /// all. <paramref name="state"/> is a <see cref="ConnectionScopeFormat"/> whose fields are read when a line
    /// is written (the connection's runner), so the scope holds no values of its own.</summary>
    public static IDisposable? ConnectionScope(ILogger logger, IReadOnlyList<KeyValuePair<string, object?>> state) =>
        logger.IsEnabled(LogLevel.Critical) ? logger.BeginScope(state) : null;

    [LoggerMessage(1, LogLevel.Information, "Listening on {Scheme}://{EndPoint}{Proxy}")]
    public static partial void Listening(ILogger logger, string scheme, IPEndPoint endPoint, string proxy);

    [LoggerMessage(2, LogLevel.Information, "Connection {ConnectionId} opened from {Remote} for {Path}")]
    public static partial void ConnectionOpened(ILogger logger, long connectionId, IPEndPoint remote, string path);

    [LoggerMessage(3, LogLevel.Information, "Connection {ConnectionId} from {Remote} closed by {Initiator} with {CloseCode} ({CloseCodeName}) {Reason}")]
    private static partial void ConnectionClosed(ILogger logger, long connectionId, IPEndPoint remote, string initiator, int closeCode, CloseCode closeCodeName, string reason);

    [LoggerMessage(35, LogLevel.Information, "Connection {ConnectionId} from {Remote} closed by {Initiator} without a status (1005)")]
    private static partial void ConnectionClosedWithoutStatus(ILogger logger, long connectionId, IPEndPoint remote, string initiator);

    /// <summary>How a connection ended, in words: who closed it (<paramref name="initiator"/>: "the peer", ...), and the
    /// code, or that there was none.</summary>
    public static void ConnectionClosed(ILogger logger, long connectionId, IPEndPoint remote, string initiator, CloseCode? code, string reason)
    {
        if (code is { } status) ConnectionClosed(logger, connectionId, remote, initiator, (int)status, status, reason);
        else ConnectionClosedWithoutStatus(logger, connectionId, remote, initiator);
    }

    [LoggerMessage(36, LogLevel.Debug, "Plain HTTP request from {Remote} for {Target} refused: {StatusCode} {Reason}")]
    private static partial void PlainHttpRefused(ILogger logger, IPEndPoint remote, string target, int statusCode, string reason);

    /// <summary>A refused upgrade; a plain HTTP request to a WebSocket path (a browser's /favicon.ico on every
    /// page load) is routine, so it is logged at Debug rather than Information.</summary>
    public static void Refused(ILogger logger, IPEndPoint remote, string target, HandshakeRejection rejection)
    {
        if (rejection.StatusCode == 426 && rejection.Headers.Any(h => h.Key.Equals("Upgrade", StringComparison.OrdinalIgnoreCase)))
            PlainHttpRefused(logger, remote, target, rejection.StatusCode, rejection.Reason);
        else UpgradeRefused(logger, remote, target, rejection.StatusCode, rejection.Reason);
    }

    /// <summary>"1 connection", "2 connections".</summary>
    public static string Connections(int count) => count == 1 ? "1 connection" : $"{count} connections";

    [LoggerMessage(4, LogLevel.Information, "Upgrade from {Remote} for {Target} refused: {StatusCode} {Reason}")]
    private static partial void UpgradeRefused(ILogger logger, IPEndPoint remote, string target, int statusCode, string reason);

    [LoggerMessage(5, LogLevel.Error, "Handler of connection {ConnectionId} failed; closing it with 1011")]
    public static partial void HandlerFailed(ILogger logger, long connectionId, Exception exception);

    [LoggerMessage(34, LogLevel.Debug, "Handler of connection {ConnectionId} stopped: the connection ended in the middle of a streamed message")]
    public static partial void HandlerReadCut(ILogger logger, long connectionId);

    [LoggerMessage(6, LogLevel.Debug, "Connection {ConnectionId} transport ended: {Message}")]
    public static partial void TransportEnded(ILogger logger, long connectionId, string message);

    [LoggerMessage(7, LogLevel.Warning, "Connection {ConnectionId} broke the protocol: {CloseCode} {Reason}")]
    public static partial void ProtocolViolation(ILogger logger, long connectionId, CloseCode closeCode, string reason);

    [LoggerMessage(8, LogLevel.Error, "Closed callback of connection {ConnectionId} failed")]
    public static partial void ClosedCallbackFailed(ILogger logger, long connectionId, Exception exception);

    [LoggerMessage(9, LogLevel.Information, "Stopping: closing {Connections} with {CloseCode}")]
    public static partial void Draining(ILogger logger, string connections, int closeCode);

    [LoggerMessage(10, LogLevel.Warning, "Stop: {Connections} did not close in time and were aborted")]
    public static partial void DrainAborted(ILogger logger, string connections);

    [LoggerMessage(11, LogLevel.Debug, "Handshake from {Remote} abandoned: {Message}")]
    public static partial void HandshakeAbandoned(ILogger logger, IPEndPoint remote, string message);

    [LoggerMessage(12, LogLevel.Debug, "Connection from {Remote} dropped before the upgrade: {Message}")]
    public static partial void TransportRefused(ILogger logger, IPEndPoint remote, string message);

    [LoggerMessage(13, LogLevel.Error, "Upgrade callback for {Path} from {Remote} failed; answered 500")]
    public static partial void UpgradeCallbackFailed(ILogger logger, IPEndPoint remote, string path, Exception exception);

    [LoggerMessage(16, LogLevel.Error, "Connection {ConnectionId} failed; closing it with 1011")]
    public static partial void ConnectionFailed(ILogger logger, long connectionId, Exception exception);

    [LoggerMessage(17, LogLevel.Error, "Connection task failed")]
    public static partial void ConnectionTaskFailed(ILogger logger, Exception exception);

    [LoggerMessage(18, LogLevel.Warning, "Stop: {Connections} did not end after being aborted; their handlers are still running")]
    public static partial void HandlersStillRunning(ILogger logger, string connections);

    [LoggerMessage(19, LogLevel.Warning, "permessage-deflate is declined: the system zlib ({Library}) cannot be loaded on this machine; connections go on uncompressed")]
    public static partial void CompressionUnavailable(ILogger logger, string library);

    [LoggerMessage(14, LogLevel.Information, "TLS certificate {Path} reloaded: {Subject}, valid until {NotAfter}")]
    public static partial void CertificateReloaded(ILogger logger, string path, string subject, DateTime notAfter);

    [LoggerMessage(15, LogLevel.Warning, "TLS certificate {Path} changed but could not be loaded; keeping the previous one: {Message}")]
    public static partial void CertificateReloadFailed(ILogger logger, string path, string message);

    // Accepting under the file descriptor limit (30-39).

    [LoggerMessage(30, LogLevel.Warning, "Accepting paused at {Cap} open sockets, the most the file descriptor limit leaves room for; new connections wait in the listen backlog and are accepted as connections close. Raise the limit (ulimit -n, LimitNOFILE=) to serve more at once")]
    public static partial void DescriptorCapReached(ILogger logger, int cap);

    [LoggerMessage(31, LogLevel.Information, "Serving at most {Cap} sockets at once, not {Workers} (Workers): the file descriptor limit leaves room for no more")]
    public static partial void DescriptorCapBelowWorkers(ILogger logger, int cap, int workers);

    [LoggerMessage(32, LogLevel.Warning, "Accepting on {EndPoint} failed ({Error}: {Message}); retrying with a backoff of 10 ms doubling up to 1 s")]
    public static partial void AcceptFailed(ILogger logger, IPEndPoint endPoint, string error, string message);

    [LoggerMessage(33, LogLevel.Information, "Accepting on {EndPoint} again after {Failures} failed attempts")]
    public static partial void AcceptResumed(ILogger logger, IPEndPoint endPoint, int failures);
}
