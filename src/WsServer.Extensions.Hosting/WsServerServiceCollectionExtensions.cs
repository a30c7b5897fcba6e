using Microsoft.Extensions.DependencyInjection;
using WsServer.Hosting;

namespace WsServer.Extensions.Hosting;

/// <summary>Adds a WsServer WebSocket server to a Generic Host application.</summary>
public static class WsServerServiceCollectionExtensions
{
    /// <summary>Runs a <see cref="WebSocketServer"/> as a hosted service: it listens when the host starts and
    /// drains when the host stops (close 1001, then up to <see cref="ServerOptions.DrainTimeout"/>). Its
    /// options come from <paramref name="configure"/>, then from the configuration section <c>"WsServer"</c>;
    /// a bad value fails the host's start with a <see cref="WsServerConfigurationException"/> naming its key.
    /// The server is in the container as a singleton, for broadcasts; its logs go to the container's
    /// <c>ILoggerFactory</c>. With a Redis backplane (the section's <c>"Redis"</c> key, or
    /// <see cref="WsServerBuilder.UseRedisBackplane(string)"/>) the server's topics are shared with every
    /// node on that Redis, and the <see cref="Redis.RedisBackplane"/> is in the container too, for sends by
    /// address. A second call adds to the same server.</summary>
    public static IServiceCollection AddWsServer(this IServiceCollection services, Action<WsServerBuilder>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var setup = (WsServerSetup?)services
            .FirstOrDefault(d => !d.IsKeyedService && d.ServiceType == typeof(WsServerSetup))?.ImplementationInstance;
        if (setup is null)
        {
            setup = new WsServerSetup();
            services.AddSingleton(setup);
            services.AddSingleton(provider => provider.GetRequiredService<WsServerSetup>().CreateServer(provider));
            // Null without a backplane; built with the server.
            services.AddSingleton(provider =>
            {
                provider.GetRequiredService<WebSocketServer>();
                return provider.GetRequiredService<WsServerSetup>().Backplane!;
            });
            services.AddHostedService<WsServerHostedService>();
        }
        configure?.Invoke(new WsServerBuilder(services, setup));
        return services;
    }
}
