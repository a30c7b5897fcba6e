namespace WsServer.Transport;

/// <summary>A listening socket with its transport settings: TLS (certificates already loaded) and
/// whether connections start with a PROXY protocol header.</summary>
internal sealed record Listener(SocketListener Socket, TlsTransport? Tls, bool ProxyProtocol)
{
    public string Scheme => Tls is null ? "ws" : "wss";
}
