namespace WsServer.Transport;

/// <summary>A listening socket with its transport settings: TLS (certificates already loaded) and
/// whether connections start with a PROXY protocol header.</summary>
internal sealed record Listener(SocketListener Socket, TlsTransport? Tls, bool ProxyProtocol) : IDisposable
{
    public string Scheme => Tls is null ? "ws" : "wss";

    /// <summary>What takes its connections on an epoll loop, when they are plain TCP served by epoll; null when
    /// .NET's socket engine accepts them.</summary>
    public EpollAcceptor? Epoll { get; private set; }

    /// <summary>Takes this listener's connections on an epoll loop from now on.</summary>
    public void AcceptOnEpoll(bool inline, TimeProvider time) => Epoll = Socket.AcceptOnEpoll(inline, time);

    public void Dispose()
    {
        Epoll?.Dispose();
        Socket.Dispose();
    }
}
