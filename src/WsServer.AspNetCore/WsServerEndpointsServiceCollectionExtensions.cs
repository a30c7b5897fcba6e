using Microsoft.Extensions.DependencyInjection;
using WsServer.Extensions.Hosting;
using WsServer.Hosting;

namespace WsServer.AspNetCore;

/// <summary>Adds the WsServer server behind <c>MapWebSocketHandler</c> (<see cref="WebSocketEndpointRouteBuilderExtensions"/>)
/// to an ASP.NET Core application.</summary>
public static class WsServerEndpointsServiceCollectionExtensions
{
    /// <summary>Adds the <see cref="WebSocketServer"/> that serves the application's WebSocket endpoints, with no
    /// listener of its own: Kestrel accepts the connections, WsServer answers their upgrades and runs their
    /// handlers. Its options come from <paramref name="configure"/>, then from the configuration section
    /// <c>"WsServer"</c> (limits, timeouts, compression, <c>Redis</c>; the listening keys do not apply), as for
    /// <see cref="WsServerServiceCollectionExtensions.AddWsServer"/>. The server is in the container as a singleton,
    /// for broadcasts, topics and sends by id; it starts with the application and, when the application stops,
    /// closes every connection with 1001 and drains (<see cref="ServerOptions.DrainTimeout"/>).</summary>
    public static IServiceCollection AddWsServerEndpoints(this IServiceCollection services, Action<WsServerBuilder>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddWsServer(configure);
        var setup = (WsServerSetup)services.First(d => !d.IsKeyedService && d.ServiceType == typeof(WsServerSetup)).ImplementationInstance!;
        setup.OwnListeners = false;
        return services;
    }
}
