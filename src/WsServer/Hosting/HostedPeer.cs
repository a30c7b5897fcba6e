using System.Net;
using System.Security.Authentication;

namespace WsServer.Hosting;

/// <summary>Who sent an upgrade request another HTTP server received, and over what: what
/// <see cref="WebSocketServer.AcceptUpgradeAsync"/> needs of the host's connection.</summary>
/// <param name="RemoteEndPoint">The client's address and port: the connection limits count by its address.</param>
/// <param name="LocalEndPoint">The address and port the client connected to.</param>
public sealed record HostedPeer(IPEndPoint RemoteEndPoint, IPEndPoint LocalEndPoint)
{
    /// <summary>True for wss:// (TLS at the host).</summary>
    public bool IsTls { get; init; }

    /// <summary>The TLS version, when <see cref="IsTls"/>.</summary>
    public SslProtocols? TlsProtocol { get; init; }

    /// <summary>The TLS server name (SNI) the client asked for, when it sent one.</summary>
    public string? TlsServerName { get; init; }
}
