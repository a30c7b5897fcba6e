using System.Diagnostics.CodeAnalysis;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using WsServer.Connections;
using WsServer.Extensions.Hosting;
using WsServer.Hosting;
using WsServer.Routing;

namespace WsServer.AspNetCore;

/// <summary>Maps WsServer WebSocket handlers to ASP.NET Core endpoints. Each endpoint answers an upgrade with
/// WsServer's own checks and codec (RFC 6455 over HTTP/1.1, RFC 8441 over HTTP/2), so a handler runs exactly as
/// in <c>wsserver</c> and <c>AddWsServer</c>; the endpoint is an ordinary one, so <c>RequireAuthorization</c>,
/// <c>RequireHost</c>, rate limiting and the other endpoint conventions apply before the upgrade.
/// Needs <see cref="WsServerEndpointsServiceCollectionExtensions.AddWsServerEndpoints"/>.</summary>
public static class WebSocketEndpointRouteBuilderExtensions
{
    /// <summary>Serves <paramref name="pattern"/> (an ASP.NET Core route pattern) with <typeparamref name="THandler"/>,
    /// an <see cref="IWebSocketHandler"/> or an <see cref="IWebSocketHandler{TState}"/> taken from the container,
    /// or made with its constructor's dependencies from it; one instance serves every connection of the route.</summary>
    /// <exception cref="ArgumentException"><typeparamref name="THandler"/> is not a handler, or an option is bad.</exception>
    /// <exception cref="InvalidOperationException"><c>AddWsServerEndpoints</c> was not called.</exception>
    public static IEndpointConventionBuilder MapWebSocketHandler<THandler>(this IEndpointRouteBuilder endpoints,
        [StringSyntax("Route")] string pattern, WebSocketRouteOptions? options = null) where THandler : class
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        return Map(endpoints, pattern, HandlerType.For(typeof(THandler)).CreateRoute(pattern, endpoints.ServiceProvider, options));
    }

    /// <summary>Serves <paramref name="pattern"/> with <paramref name="handler"/>, which keeps no state per connection.</summary>
    public static IEndpointConventionBuilder MapWebSocketHandler(this IEndpointRouteBuilder endpoints,
        [StringSyntax("Route")] string pattern, IWebSocketHandler handler, WebSocketRouteOptions? options = null) =>
        Map(endpoints, pattern, WebSocketRoute.Create(pattern, handler, options));

    /// <summary>Serves <paramref name="pattern"/> with <paramref name="handler"/> and its state per connection.</summary>
    public static IEndpointConventionBuilder MapWebSocketHandler<TState>(this IEndpointRouteBuilder endpoints,
        [StringSyntax("Route")] string pattern, IWebSocketHandler<TState> handler, WebSocketRouteOptions? options = null) =>
        Map(endpoints, pattern, WebSocketRoute.Create(pattern, handler, options));

    /// <summary>Serves <paramref name="pattern"/> with a function of each message and its connection:
    /// <c>MapWebSocketHandler("/echo", (message, connection) =&gt; HandleResult.Reply(message))</c>.</summary>
    public static IEndpointConventionBuilder MapWebSocketHandler(this IEndpointRouteBuilder endpoints,
        [StringSyntax("Route")] string pattern, Func<WebSocketMessage, WebSocketConnection, HandleResult> handle, WebSocketRouteOptions? options = null) =>
        Map(endpoints, pattern, WebSocketRoute.Create(pattern, handle, options));

    /// <summary>Serves <paramref name="pattern"/> with an asynchronous function of each message and its connection.</summary>
    public static IEndpointConventionBuilder MapWebSocketHandler(this IEndpointRouteBuilder endpoints,
        [StringSyntax("Route")] string pattern, Func<WebSocketMessage, WebSocketConnection, CancellationToken, ValueTask<HandleResult>> handle,
        WebSocketRouteOptions? options = null) =>
        Map(endpoints, pattern, WebSocketRoute.Create(pattern, handle, options));

    /// <summary>Serves <paramref name="pattern"/> with <paramref name="route"/>: a route made by
    /// <see cref="WebSocketRoute.Create{TState}"/>, or one of a <see cref="RouteTable"/> shared with a server that listens itself.</summary>
    public static IEndpointConventionBuilder MapWebSocketRoute(this IEndpointRouteBuilder endpoints,
        [StringSyntax("Route")] string pattern, WebSocketRoute route)
    {
        ArgumentNullException.ThrowIfNull(route);
        return Map(endpoints, pattern, route);
    }

    private static IEndpointConventionBuilder Map(IEndpointRouteBuilder endpoints, string pattern, WebSocketRoute route)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentException.ThrowIfNullOrEmpty(pattern);
        WebSocketServer server = endpoints.ServiceProvider.GetService<WebSocketServer>()
            ?? throw new InvalidOperationException(
                "MapWebSocketHandler needs WsServer's services: call builder.Services.AddWsServerEndpoints() before building the application.");
        var endpoint = new WebSocketEndpoint(server, route);
        return endpoints.Map(pattern, endpoint.HandleAsync).WithDisplayName($"WebSocket {pattern}");
    }
}
