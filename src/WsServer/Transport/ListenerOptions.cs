using System.Net;

namespace WsServer.Transport;

/// <summary>One address and port to listen on, with its transport: plain or TLS, with or without a
/// PROXY protocol header from a load balancer.</summary>
public sealed class ListenerOptions
{
    /// <summary>The address to bind (<see cref="IPAddress.Loopback"/> by default).</summary>
    public IPAddress Address { get; set; } = IPAddress.Loopback;

    /// <summary>The TCP port; 0 picks a free one.</summary>
    public int Port { get; set; }

    /// <summary>TLS for wss://; null for plain ws://.</summary>
    public TlsOptions? Tls { get; set; }

    /// <summary>Expect a PROXY protocol header (v1 text or v2 binary) at the start of every connection,
    /// as a load balancer sends it, and take the client's address from it. A connection without a valid
    /// header is dropped. Turn on only behind a proxy: anyone who can connect could forge the header.</summary>
    public bool ProxyProtocol { get; set; }

    internal void Validate()
    {
        ArgumentNullException.ThrowIfNull(Address);
        ArgumentOutOfRangeException.ThrowIfNegative(Port);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(Port, IPEndPoint.MaxPort);
    }
}
