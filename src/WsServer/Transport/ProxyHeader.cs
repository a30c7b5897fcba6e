using System.Net;

namespace WsServer.Transport;

/// <summary>What a PROXY protocol header says: the client's address and the address it connected to.
/// Both are null for a LOCAL (v2) or UNKNOWN (v1) header, such as a load balancer's health check:
/// the connection's own addresses are used then.</summary>
internal readonly record struct ProxyHeader(IPEndPoint? Source, IPEndPoint? Destination);
