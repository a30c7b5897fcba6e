using System.Net;
using System.Net.Sockets;
using WsServer.Transport.Epoll;

namespace WsServer.Transport;

/// <summary>Plain TCP through an epoll loop (<see cref="EpollSocket"/>): direct non-blocking calls, and a
/// reader that parks between edges, so a quiet connection waits with no pending operation.</summary>
internal sealed class EpollTransport : ConnectionTransport
{
    private readonly Socket _socket;
    private readonly EpollSocket _epoll;
    private readonly SocketReader _input;

    public EpollTransport(Socket socket, bool inlineIo, IPEndPoint remote, IPEndPoint local, DateTimeOffset acceptedAt)
        : base(remote, local, acceptedAt)
    {
        _socket = socket;
        _epoll = new EpollSocket(socket, inlineIo);
        _input = new SocketReader(_epoll);
    }

    public override TransportInput Input => _input;

    public override bool HasUnreadBytes => HasUnread(_socket);

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> bytes) => _epoll.SendAsync(bytes);

    protected override ValueTask WriteBatchAsync(List<ArraySegment<byte>> batch, int total) => _epoll.SendAsync(batch, total);

    public override ValueTask ShutdownSendAsync()
    {
        ShutdownSend(_socket);
        return default;
    }

    protected override void Cut()
    {
        _epoll.Abort();
        _socket.Dispose();
    }

    protected override ValueTask DisposeCoreAsync()
    {
        _epoll.Dispose();
        _socket.Dispose();
        return default;
    }
}
