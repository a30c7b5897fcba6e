using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using WsServer.Hosting;
using WsServer.Redis;
using WsServer.Routing;

namespace WsServer.Extensions.Hosting;

/// <summary>What every <c>AddWsServer</c> call on one service collection said, kept as one singleton,
/// and the one place the server is built from it.</summary>
internal sealed class WsServerSetup
{
    public string SectionName { get; set; } = WsServerBuilder.DefaultSectionName;

    /// <summary>False when another HTTP server accepts the connections (WsServer.AspNetCore's endpoints): the
    /// server then binds nothing, and starts draining as soon as the application begins to stop, so that the
    /// host, which waits for its requests, sees them end.</summary>
    public bool OwnListeners { get; set; } = true;

    public List<Action<ServerOptions, IServiceProvider>> Configures { get; } = [];

    /// <summary>Routes mapped in code, by pattern, in order.</summary>
    public List<(string Pattern, HandlerType Handler, WebSocketRouteOptions? Options)> Routes { get; } = [];

    /// <summary>The Redis backplane code asked for, if any; the configuration's <c>Redis</c> key goes over it.</summary>
    public Func<IServiceProvider, RedisBackplaneOptions>? Redis { get; set; }

    /// <summary>The backplane of the server built, once built; null without one.</summary>
    public RedisBackplane? Backplane { get; private set; }

    /// <summary>Handlers that configured routes name.</summary>
    public Dictionary<string, HandlerType> Named { get; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Builds the server: code's options first, then the configuration section over them, then the
    /// routes (code's, tuned by configuration, and configuration's own). Nothing listens yet.</summary>

    public WebSocketServer CreateServer(IServiceProvider services)
    {
        var options = new ServerOptions();
        foreach (Action<ServerOptions, IServiceProvider> configure in Configures) configure(options, services);
        IConfigurationSection? section = services.GetService<IConfiguration>()?.GetSection(SectionName);
        RedisBackplaneOptions? redis = Redis?.Invoke(services);
        var configured = new Dictionary<string, ConfiguredRoute>(
            section is null ? [] : ServerConfiguration.Apply(section, options, ref redis), StringComparer.Ordinal);

        foreach ((string pattern, HandlerType handler, WebSocketRouteOptions? routeOptions) in Routes)
        {
            if (!configured.Remove(pattern, out ConfiguredRoute? tuned))
            {
                handler.Map(options.Routes, pattern, services, routeOptions);
                continue;
            }
            if (tuned.Handler is not null)
                throw ConfigurationValues.Bad(tuned.HandlerKey,
                    $"= '{tuned.Handler}' names a handler for a route that code already maps to {handler.Type.Name}; leave Handler out to tune its options");
            MapConfigured(tuned, () => handler.Map(options.Routes, pattern, services, tuned.ApplyTo(routeOptions ?? WebSocketRouteOptions.Default)));
        }
        foreach (ConfiguredRoute route in configured.Values)
        {
            if (route.Handler is null)
                throw ConfigurationValues.Bad(route.HandlerKey,
                    $"is missing: route {route.Pattern} is not mapped in code, so it needs the name of a handler registered with AddHandler<T>(name)");
            if (!Named.TryGetValue(route.Handler, out HandlerType? handler))
                throw ConfigurationValues.Bad(route.HandlerKey,
                    $"= '{route.Handler}' is not a handler registered with AddHandler<T>(name); registered: {(Named.Count == 0 ? "none" : string.Join(", ", Named.Keys))}");
            MapConfigured(route, () => handler.Map(options.Routes, route.Pattern, services, route.ApplyTo(WebSocketRouteOptions.Default)));
        }
        var loggers = services.GetService<ILoggerFactory>();
        var meters = services.GetService<System.Diagnostics.Metrics.IMeterFactory>();
        var server = new WebSocketServer(options, loggers, meters);
        if (redis is not null)
        {
            try
            {
                Backplane = new RedisBackplane(server, redis, loggers, meters);
            }
            catch (ArgumentException ex)
            {
                string key = $"{SectionName}:{BackplaneConfiguration.Key}";
                throw new WsServerConfigurationException(key, $"{key}: {UserMessage.Of(ex)}", ex);
            }
        }
        return server;
    }

    /// <summary>Runs <paramref name="map"/>, naming the configuration key of an option the route table refuses.</summary>
    private static void MapConfigured(ConfiguredRoute route, Action map)
    {
        try
        {
            map();
        }
        catch (ArgumentException ex) when (ex.ParamName is { Length: > 0 } name && name != "pattern")
        {
            string key = $"{route.Path}:{name}";
            throw new WsServerConfigurationException(key, $"{key}: {UserMessage.Of(ex)}", ex);
        }
    }
}
