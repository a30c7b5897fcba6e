using System.Net;
using WsServer.Transport.Epoll;

namespace WsServer.Transport;

/// <summary>Plain TCP through an epoll loop (<see cref="EpollSocket"/>) on a descriptor an <see cref="EpollAcceptor"/>
/// took: direct non-blocking calls, and a reader that parks between edges, so a quiet connection waits with no
/// pending operation and no .NET <c>Socket</c>.</summary>
internal sealed class EpollTransport : ConnectionTransport
{
    private readonly Descriptor _descriptor;
    private readonly EpollSocket _epoll;
    private readonly SocketReader _input;

    public EpollTransport(Descriptor descriptor, bool inlineIo, IPEndPoint remote, IPEndPoint local, DateTimeOffset acceptedAt)
        : base(remote, local, acceptedAt)
    {
        _descriptor = descriptor;
        _epoll = new EpollSocket(descriptor, inlineIo);
        _input = new SocketReader(_epoll);
    }

    public override TransportInput Input => _input;

    public override bool HasUnreadBytes => _epoll.HasUnread();

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> bytes) => _epoll.SendAsync(bytes);

    public override long TrySendNow(ReadOnlySpan<byte> head, ReadOnlySpan<byte> payload) => _epoll.TrySendNow(head, payload);

    protected override ValueTask WriteBatchAsync(List<ArraySegment<byte>> batch, int total) => _epoll.SendAsync(batch, total);

    public override ValueTask ShutdownSendAsync()
    {
        _epoll.ShutdownSend();
        return default;
    }

    protected override void Cut()
    {
        _epoll.Abort();
        _descriptor.Dispose();
    }

    protected override ValueTask DisposeCoreAsync()
    {
        _epoll.Dispose();
        _descriptor.Dispose();
        return default;
    }
}
