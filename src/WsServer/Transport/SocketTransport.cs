using System.Net;
using System.Net.Sockets;

namespace WsServer.Transport;

/// <summary>Plain TCP through .NET's socket engine (where there is no epoll, or it is turned off): read
/// straight from the socket into one pooled array, written with gathered sends.</summary>
internal sealed class SocketTransport(Socket socket, IPEndPoint remote, IPEndPoint local, DateTimeOffset acceptedAt)
    : ConnectionTransport(remote, local, acceptedAt)
{
    private readonly SocketReader _input = new(socket);

    public override TransportInput Input => _input;

    public override bool HasUnreadBytes => HasUnread(socket);

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> bytes) => GatherSend.SendAsync(socket, bytes);

    protected override ValueTask WriteBatchAsync(List<ArraySegment<byte>> batch, int total) => GatherSend.SendAsync(socket, batch, total);

    public override ValueTask ShutdownSendAsync()
    {
        ShutdownSend(socket);
        return default;
    }

    protected override void Cut() => socket.Dispose();

    protected override ValueTask DisposeCoreAsync()
    {
        socket.Dispose();
        return default;
    }
}
