using System.Net;
using Microsoft.Extensions.Logging;
using WsServer.Handlers;
using WsServer.Protocol.Closing;

namespace WsServer.Diagnostics;

/// <summary>Every log line the server writes, source-generated so a disabled level costs nothing.</summary>
internal static partial class Log
{
    [LoggerMessage(1, LogLevel.Information, "Listening on {Scheme}://{EndPoint}{Proxy}")]
    public static partial void Listening(ILogger logger, string scheme, IPEndPoint endPoint, string proxy);

    [LoggerMessage(2, LogLevel.Information, "Connection {Id} opened from {Remote} for {Path}")]
    public static partial void ConnectionOpened(ILogger logger, long id, IPEndPoint remote, string path);

    [LoggerMessage(3, LogLevel.Information, "Connection {Id} from {Remote} closed by {Initiator} with {Code} ({CodeName}) {Reason}")]
    public static partial void ConnectionClosed(ILogger logger, long id, IPEndPoint remote, CloseInitiator initiator, int? code, CloseCode? codeName, string reason);

    [LoggerMessage(4, LogLevel.Information, "Upgrade from {Remote} for {Target} refused: {Status} {Reason}")]
    public static partial void UpgradeRefused(ILogger logger, IPEndPoint remote, string target, int status, string reason);

    [LoggerMessage(5, LogLevel.Error, "Handler of connection {Id} failed; closing it with 1011")]
    public static partial void HandlerFailed(ILogger logger, long id, Exception exception);

    [LoggerMessage(6, LogLevel.Debug, "Connection {Id} transport ended: {Message}")]
    public static partial void TransportEnded(ILogger logger, long id, string message);

    [LoggerMessage(7, LogLevel.Warning, "Connection {Id} broke the protocol: {Code} {Reason}")]
    public static partial void ProtocolViolation(ILogger logger, long id, CloseCode code, string reason);

    [LoggerMessage(8, LogLevel.Error, "Closed callback of connection {Id} failed")]
    public static partial void ClosedCallbackFailed(ILogger logger, long id, Exception exception);

    [LoggerMessage(9, LogLevel.Information, "Stopping: closing {Count} connections with {Code}")]
    public static partial void Draining(ILogger logger, int count, int code);

    [LoggerMessage(10, LogLevel.Warning, "Stop: {Count} connections did not close in time and were aborted")]
    public static partial void DrainAborted(ILogger logger, int count);

    [LoggerMessage(11, LogLevel.Debug, "Handshake from {Remote} abandoned: {Message}")]
    public static partial void HandshakeAbandoned(ILogger logger, IPEndPoint remote, string message);

    [LoggerMessage(12, LogLevel.Debug, "Connection from {Remote} dropped before the upgrade: {Message}")]
    public static partial void TransportRefused(ILogger logger, IPEndPoint remote, string message);

    [LoggerMessage(13, LogLevel.Error, "Upgrade callback for {Path} from {Remote} failed; answered 500")]
    public static partial void UpgradeCallbackFailed(ILogger logger, IPEndPoint remote, string path, Exception exception);

    [LoggerMessage(16, LogLevel.Error, "Connection {Id} failed; closing it with 1011")]
    public static partial void ConnectionFailed(ILogger logger, long id, Exception exception);

    [LoggerMessage(17, LogLevel.Error, "Connection task failed")]
    public static partial void ConnectionTaskFailed(ILogger logger, Exception exception);

    [LoggerMessage(18, LogLevel.Warning, "Stop: {Count} connections did not end after being aborted; their handlers are still running")]
    public static partial void HandlersStillRunning(ILogger logger, int count);

    [LoggerMessage(19, LogLevel.Warning, "permessage-deflate is declined: the system zlib ({Library}) cannot be loaded on this machine; connections go on uncompressed")]
    public static partial void CompressionUnavailable(ILogger logger, string library);

    [LoggerMessage(14, LogLevel.Information, "TLS certificate {Path} reloaded: {Subject}, valid until {NotAfter}")]
    public static partial void CertificateReloaded(ILogger logger, string path, string subject, DateTime notAfter);

    [LoggerMessage(15, LogLevel.Warning, "TLS certificate {Path} changed but could not be loaded; keeping the previous one: {Message}")]
    public static partial void CertificateReloadFailed(ILogger logger, string path, string message);
}
