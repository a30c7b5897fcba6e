using System.Net;
using System.Net.Sockets;

namespace WsServer.Transport;

/// <summary>A bound, listening TCP socket.</summary>
internal sealed class SocketListener : IDisposable
{
    private readonly Socket _socket;

    /// <summary>Binds and listens; a failure is an <see cref="IOException"/> that names the address, around the
    /// socket's own error (whose words, "Address already in use", do not say which).</summary>
    public SocketListener(IPAddress address, int port, int backlog)
    {
        _socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            if (address.Equals(IPAddress.IPv6Any)) _socket.DualMode = true;
            _socket.NoDelay = true;
            _socket.Bind(new IPEndPoint(address, port));
            _socket.Listen(backlog);
        }
        catch (SocketException ex)
        {
            _socket.Dispose();
            throw new IOException($"cannot listen on {new IPEndPoint(address, port)}: {ex.Message}", ex);
        }
        catch
        {
            _socket.Dispose();
            throw;
        }
        EndPoint = (IPEndPoint)_socket.LocalEndPoint!;
    }

    public IPEndPoint EndPoint { get; }

    public async ValueTask<Socket> AcceptAsync(CancellationToken cancellationToken)
    {
        Socket client = await _socket.AcceptAsync(cancellationToken).ConfigureAwait(false);
        // Frames are coalesced by each connection's writer; Nagle would only add latency on top. Linux copies the
        // listener's TCP_NODELAY into each accepted socket, so there it costs no setsockopt per connection.
        if (!OperatingSystem.IsLinux()) client.NoDelay = true;
        return client;
    }

    /// <summary>An acceptor of this socket's connections on an epoll loop, in place of <see cref="AcceptAsync"/>.</summary>
    public EpollAcceptor AcceptOnEpoll(bool inline, TimeProvider time) => new(_socket, inline, time);

    public void Dispose() => _socket.Dispose();
}
