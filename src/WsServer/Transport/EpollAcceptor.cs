using System.Net;
using System.Net.Sockets;
using WsServer.Transport.Epoll;

namespace WsServer.Transport;

/// <summary>
/// Takes a plain listener's connections on an <see cref="EpollLoop"/>, as its connections are served: an edge
/// on the listening socket, then <c>accept4</c> until the backlog is empty, each connection an
/// <see cref="EpollTransport"/> on its bare descriptor. Inline, accepting and the upgrade that follows run on
/// the loop's thread, with no hop through .NET's socket engine and the thread pool between them.
/// </summary>
internal sealed class EpollAcceptor : IDisposable
{
    private readonly Socket _listening;
    private readonly EpollSocket _epoll;
    private readonly bool _inline;
    private readonly TimeProvider _time;
    private readonly IPEndPoint? _local; // null when bound to any address: each connection's is then asked for
    private IPAddress? _recentPeer; // the last peer's address, shared with the next peer at the same one

    /// <param name="listening">A bound, listening socket, which the caller disposes after this.</param>
    /// <param name="inline">Accept, and serve what was accepted, on the loop's thread.</param>
    /// <param name="time">The clock that stamps each connection's acceptance.</param>
    public EpollAcceptor(Socket listening, bool inline, TimeProvider time)
    {
        _listening = listening;
        _listening.Blocking = false;
        _inline = inline;
        _time = time;
        var bound = (IPEndPoint)listening.LocalEndPoint!;
        _local = bound.Address.Equals(IPAddress.Any) || bound.Address.Equals(IPAddress.IPv6Any) ? null : bound;
        _epoll = new EpollSocket(listening.SafeHandle, inline);
    }

    /// <summary>The next connection; throws <see cref="SocketException"/> for what stops accepting for a while
    /// (out of descriptors, of buffers), <see cref="ObjectDisposedException"/> once disposed.</summary>
    public async ValueTask<EpollTransport> AcceptAsync(CancellationToken cancellation)
    {
        while (true)
        {
            int fd = _epoll.Accept(_recentPeer, out IPEndPoint? remote);
            if (fd >= 0)
            {
                _recentPeer = remote?.Address ?? _recentPeer;
                return Open(fd, remote);
            }
            await _epoll.WaitReadableAsync(cancellation).ConfigureAwait(false);
        }
    }

    private EpollTransport Open(int fd, IPEndPoint? remote)
    {
        var descriptor = new Descriptor(fd);
        try
        {
            IPEndPoint local = _local ?? EpollInterop.LocalEndPoint(fd) ?? (IPEndPoint)_listening.LocalEndPoint!;
            remote ??= new IPEndPoint(IPAddress.None, 0); // a peer of no IP family: not on a TCP listener
            return new EpollTransport(descriptor, _inline, remote, local, _time.GetUtcNow());
        }
        catch
        {
            descriptor.Dispose();
            throw;
        }
    }

    /// <summary>Ends a wait for a connection (it throws); the listening socket is its owner's to close.</summary>
    public void Dispose() => _epoll.Dispose();
}
