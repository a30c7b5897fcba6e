using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using WsServer.Diagnostics;
using WsServer.Transport;

namespace WsServer.Connections;

internal sealed partial class ConnectionLoop
{
    /// <summary>Turns the accepted socket into the stream the WebSocket is spoken over: reads the PROXY
    /// header when the listener takes one (the client's real address replaces the socket's), then runs
    /// the TLS handshake when the listener has TLS. Both are bounded by the handshake timeout. Returns
    /// null, having logged why, when the connection is to be dropped: it harms no other connection.</summary>
    private async Task<Stream?> OpenTransportAsync(Stream stream)
    {
        if (!_listener.ProxyProtocol && _listener.Tls is null) return stream;
        using var timeout = new CancellationTokenSource(_server.Options.HandshakeTimeout, _server.Time);
        using var cancellation = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, _server.Stopping);
        try
        {
            if (_listener.ProxyProtocol)
            {
                if (await ProxyProtocolReader.ReadAsync(stream, cancellation.Token).ConfigureAwait(false) is not { } proxied)
                    return Dropped("no valid PROXY protocol header");
                stream = proxied.Remainder;
                _remote = proxied.Header.Source ?? _remote;
                _local = proxied.Header.Destination ?? _local;
            }
            if (_listener.Tls is { } tls)
            {
                SslStream ssl = await tls.AuthenticateAsync(stream, cancellation.Token).ConfigureAwait(false);
                _tls = ssl;
                stream = ssl;
            }
            return stream;
        }
        catch (OperationCanceledException)
        {
            return Dropped(timeout.IsCancellationRequested ? "transport handshake timeout" : "server stopping");
        }
        catch (Exception ex) when (ex is AuthenticationException or IOException or SocketException)
        {
            // A plain HTTP client on a TLS port ends here, as does any broken TLS handshake.
            return Dropped($"TLS handshake failed: {ex.Message}");
        }
    }

    private Stream? Dropped(string reason)
    {
        Log.TransportRefused(_server.Logger, _remote, reason);
        return null;
    }

    /// <summary>Ends our sending side: TLS close_notify first on wss, then the TCP FIN, so the peer reads
    /// everything we sent before the end.</summary>
    private async ValueTask ShutdownSendAsync()
    {
        if (_tls is not null)
        {
            try
            {
                await _tls.ShutdownAsync().ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is IOException or ObjectDisposedException or InvalidOperationException)
            {
                // The peer is gone or a write is in flight; the FIN below still ends our side.
            }
        }
        _socket.Shutdown(SocketShutdown.Send);
    }

    private (bool IsTls, SslProtocols? Protocol, string? ServerName) TlsInfo() =>
        _tls is null
            ? (false, null, null)
            : (true, _tls.SslProtocol, string.IsNullOrEmpty(_tls.TargetHostName) ? null : _tls.TargetHostName);

    private static IPEndPoint LocalOf(Socket socket) => (IPEndPoint)socket.LocalEndPoint!;
}
