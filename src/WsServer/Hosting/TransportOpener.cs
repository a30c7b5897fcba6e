using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using WsServer.Diagnostics;
using WsServer.Transport;

namespace WsServer.Hosting;

/// <summary>Opens an accepted socket into an <see cref="ConnectionTransport"/>: reads the PROXY header when the
/// listener takes one (the client's real address replaces the socket's), then runs the TLS handshake
/// when the listener has TLS, both within the handshake timeout. Returns null, having logged why and
/// closed the socket, when the connection is to be dropped: it harms no other connection.</summary>
internal static class TransportOpener
{
    public static async Task<ConnectionTransport?> OpenAsync(ServerContext server, Socket socket, Listener listener)
    {
        DateTimeOffset acceptedAt = server.Time.GetUtcNow();
        var remote = (IPEndPoint)socket.RemoteEndPoint!;
        var local = (IPEndPoint)socket.LocalEndPoint!;
        // A plain listener's connections come here only where epoll does not take them (EpollAcceptor).
        if (!listener.ProxyProtocol && listener.Tls is null) return new SocketTransport(socket, remote, local, acceptedAt);
        Stream stream = new NetworkStream(socket, ownsSocket: true);

        using var timeout = new CancellationTokenSource(server.Options.HandshakeTimeout, server.Time);
        using var cancellation = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, server.Stopping);
        string? refusal;
        try
        {
            SslStream? tls = null;
            if (listener.ProxyProtocol)
            {
                if (await ProxyProtocolReader.ReadAsync(stream, cancellation.Token).ConfigureAwait(false) is not { } proxied)
                    return await DropAsync(server, stream, remote, "no valid PROXY protocol header").ConfigureAwait(false);
                stream = proxied.Remainder;
                remote = proxied.Header.Source ?? remote;
                local = proxied.Header.Destination ?? local;
            }
            if (listener.Tls is { } transport)
            {
                tls = await transport.AuthenticateAsync(stream, cancellation.Token).ConfigureAwait(false);
                stream = tls;
            }
            return new StreamTransport(stream, socket, tls, remote, local, acceptedAt);
        }
        catch (OperationCanceledException)
        {
            refusal = timeout.IsCancellationRequested ? "transport handshake timeout" : "server stopping";
        }
        catch (Exception ex) when (ex is AuthenticationException or IOException or SocketException)
        {
            // A plain HTTP client on a TLS port ends here, as does any broken TLS handshake.
            refusal = $"TLS handshake failed: {ex.Message}";
        }
        return await DropAsync(server, stream, remote, refusal).ConfigureAwait(false);
    }

    private static async Task<ConnectionTransport?> DropAsync(ServerContext server, Stream stream, IPEndPoint remote, string reason)
    {
        Log.TransportRefused(server.Logger, remote, reason);
        await stream.DisposeAsync().ConfigureAwait(false);
        return null;
    }
}
