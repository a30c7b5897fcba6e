using Microsoft.Extensions.DependencyInjection;
using WsServer.Connections;
using WsServer.Routing;

namespace WsServer.Extensions.Hosting;

/// <summary>A handler class, resolved from the container when the server is built, and mapped as the
/// handler interface it implements: <see cref="IWebSocketHandler"/> or one <see cref="IWebSocketHandler{TState}"/>.</summary>
internal sealed class HandlerType
{
    private readonly Func<string, object, WebSocketRouteOptions?, WebSocketRoute> _create;

    private HandlerType(Type type, Func<string, object, WebSocketRouteOptions?, WebSocketRoute> create)
    {
        Type = type;
        _create = create;
    }

    public Type Type { get; }

    /// <exception cref="ArgumentException"><paramref name="type"/> implements no handler interface, or more than one.</exception>
    public static HandlerType For(Type type)
    {
        Type[] stateful = [.. type.GetInterfaces().Where(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IWebSocketHandler<>))];
        bool stateless = typeof(IWebSocketHandler).IsAssignableFrom(type);
        return (stateless, stateful.Length) switch
        {
            (true, 0) => new(type, static (pattern, handler, options) => WebSocketRoute.Create(pattern, (IWebSocketHandler)handler, options)),
            (false, 1) => new(type, typeof(HandlerType).GetMethod(nameof(CreateStateful), System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static)!
                .MakeGenericMethod(stateful[0].GetGenericArguments()[0])
                .CreateDelegate<Func<string, object, WebSocketRouteOptions?, WebSocketRoute>>()),
            (false, 0) => throw new ArgumentException(
                $"{type.FullName} is not a WebSocket handler: it implements neither IWebSocketHandler nor IWebSocketHandler<TState>.", nameof(type)),
            _ => throw new ArgumentException(
                $"{type.FullName} implements more than one of IWebSocketHandler and IWebSocketHandler<TState>: which one serves is ambiguous.", nameof(type)),
        };
    }

    /// <summary>Resolves the handler (one instance serves every connection of the route) and maps it.</summary>
    public void Map(RouteTable routes, string pattern, IServiceProvider services, WebSocketRouteOptions? options) =>
        routes.Map(CreateRoute(pattern, services, options));

    /// <summary>Resolves the handler (one instance serves every connection of the route), or makes one with its
    /// constructor's dependencies from the container when it is not registered: its route.</summary>
    public WebSocketRoute CreateRoute(string pattern, IServiceProvider services, WebSocketRouteOptions? options) =>
        _create(pattern, ActivatorUtilities.GetServiceOrCreateInstance(services, Type), options);

    private static WebSocketRoute CreateStateful<TState>(string pattern, object handler, WebSocketRouteOptions? options) =>
        WebSocketRoute.Create(pattern, (IWebSocketHandler<TState>)handler, options);
}
