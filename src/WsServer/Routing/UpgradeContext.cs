using System.Net;
using WsServer.Connections;
using WsServer.Protocol.Handshake;

namespace WsServer.Routing;

/// <summary>What an upgrade callback sees before a connection is established: the parsed request,
/// who sent it and which route it matched. No handler state exists yet.</summary>
public sealed class UpgradeContext
{
    internal UpgradeContext(UpgradeRequest request, IPEndPoint remoteEndPoint, IPEndPoint localEndPoint,
        WebSocketRoute route, string? subprotocol, CancellationToken cancellationToken)
    {
        Request = request;
        RemoteEndPoint = remoteEndPoint;
        LocalEndPoint = localEndPoint;
        Route = route;
        Subprotocol = subprotocol;
        CancellationToken = cancellationToken;
    }

    /// <summary>The upgrade request: method, path, query and headers, already validated as an upgrade.</summary>
    public UpgradeRequest Request { get; }

    /// <summary>The client's address and port (from the PROXY header when the listener takes one).</summary>
    public IPEndPoint RemoteEndPoint { get; }

    /// <summary>The address and port the client connected to.</summary>
    public IPEndPoint LocalEndPoint { get; }

    /// <summary>The route the request's path matched.</summary>
    public WebSocketRoute Route { get; }

    /// <summary>The subprotocol the route's list chose (the first of the route's list the client
    /// offered); null for none. <see cref="UpgradeDecision.Accept"/> may choose another.</summary>
    public string? Subprotocol { get; }

    /// <summary>The request as the HTTP server that received it knows it, when that is another server
    /// (ASP.NET Core's <c>HttpContext</c>; WsServer.AspNetCore's <c>GetHttpContext()</c> reads it); null when
    /// WsServer accepted the connection itself.</summary>
    public object? HostContext { get; internal init; }

    /// <summary>Cancelled when the server stops; a slow check (a token lookup) should observe it.</summary>
    public CancellationToken CancellationToken { get; }

    /// <summary>The first value of the query parameter <paramref name="name"/>, percent-decoded; null when absent.</summary>
    public string? GetQueryValue(string name) => QueryString.GetValue(Request.Query, name);
}
