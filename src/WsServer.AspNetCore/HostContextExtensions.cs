using Microsoft.AspNetCore.Http;
using WsServer.Connections;
using WsServer.Routing;

namespace WsServer.AspNetCore;

/// <summary>The ASP.NET Core request behind a WebSocket served by <c>MapWebSocketHandler</c>: its user and claims,
/// its request services, its connection. It stays valid until the connection's closed callback has returned.</summary>
public static class HostContextExtensions
{
    /// <summary>The upgrade's <see cref="HttpContext"/>; null for a connection WsServer accepted itself.</summary>
    public static HttpContext? GetHttpContext(this WsServer.Connections.ConnectionInfo info)
    {
        ArgumentNullException.ThrowIfNull(info);
        return info.HostContext as HttpContext;
    }

    /// <summary>The connection's upgrade <see cref="HttpContext"/>; null for a connection WsServer accepted itself.</summary>
    public static HttpContext? GetHttpContext(this WebSocketConnection connection)
    {
        ArgumentNullException.ThrowIfNull(connection);
        return connection.Info.HostContext as HttpContext;
    }

    /// <summary>The <see cref="HttpContext"/> of the request an upgrade callback is deciding; null when WsServer
    /// accepted the connection itself.</summary>
    public static HttpContext? GetHttpContext(this UpgradeContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return context.HostContext as HttpContext;
    }
}
