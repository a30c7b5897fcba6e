using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using WsServer.Connections;
using WsServer.Hosting;
using WsServer.Redis;
using WsServer.Routing;

namespace WsServer.Extensions.Hosting;

/// <summary>Says, inside <see cref="WsServerServiceCollectionExtensions.AddWsServer"/>, which handlers the
/// server has and how code sets its options. Handlers are classes resolved from the container, so they
/// take their dependencies by constructor; each is registered as a singleton unless the application
/// registered it already, and one instance serves every connection of its route.</summary>
public sealed class WsServerBuilder
{
    /// <summary>The configuration section the server's options are read from: <c>"WsServer"</c>.</summary>
    public const string DefaultSectionName = "WsServer";

    private readonly WsServerSetup _setup;

    internal WsServerBuilder(IServiceCollection services, WsServerSetup setup)
    {
        Services = services;
        _setup = setup;
    }

    /// <summary>The application's services, for registering what the handlers depend on.</summary>
    public IServiceCollection Services { get; }

    /// <summary>The configuration section read for the server's options (default <see cref="DefaultSectionName"/>);
    /// a nested section is written with ':', as in <c>"Chat:WsServer"</c>.</summary>
    public string SectionName
    {
        get => _setup.SectionName;
        set
        {
            ArgumentException.ThrowIfNullOrEmpty(value);
            _setup.SectionName = value;
        }
    }

    /// <summary>Serves <paramref name="pattern"/> (<c>/chat</c>, or <c>/rooms/*</c> for every path under
    /// <c>/rooms/</c>) with <typeparamref name="THandler"/>, an <see cref="IWebSocketHandler"/> or an
    /// <see cref="IWebSocketHandler{TState}"/> resolved from the container. The configuration section's
    /// <c>Routes:PATTERN</c> entry, if any, tunes its options.</summary>
    /// <exception cref="ArgumentException"><typeparamref name="THandler"/> is not a handler, or the pattern is bad or mapped twice.</exception>
    public WsServerBuilder MapHandler<THandler>(string pattern, WebSocketRouteOptions? options = null) where THandler : class
    {
        ArgumentException.ThrowIfNullOrEmpty(pattern);
        if (pattern[0] != '/') throw new ArgumentException($"A route starts with '/': '{pattern}'.", nameof(pattern));
        if (_setup.Routes.Exists(r => r.Pattern == pattern)) throw new ArgumentException($"Route '{pattern}' is mapped twice.", nameof(pattern));
        _setup.Routes.Add((pattern, Register<THandler>(), options));
        return this;
    }

    /// <summary>Registers <typeparamref name="THandler"/> under <paramref name="name"/> (compared
    /// case-insensitively) for the configuration's routes: <c>"Routes": { "/chat": { "Handler": "chat" } }</c>.</summary>
    /// <exception cref="ArgumentException"><typeparamref name="THandler"/> is not a handler, or the name is taken.</exception>
    public WsServerBuilder AddHandler<THandler>(string name) where THandler : class
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        if (_setup.Named.TryGetValue(name, out HandlerType? taken))
            throw new ArgumentException($"The handler name '{name}' is already taken by {taken.Type.FullName}.", nameof(name));
        _setup.Named.Add(name, Register<THandler>());
        return this;
    }

    /// <summary>Sets options in code (TLS, listeners, a clock, routes with handler instances or delegates).
    /// Runs before the configuration section is applied: a key set there wins.</summary>
    public WsServerBuilder Configure(Action<ServerOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        _setup.Configures.Add((options, _) => configure(options));
        return this;
    }

    /// <summary>Sets options in code with the application's services at hand; runs when the server is built,
    /// before the configuration section is applied.</summary>
    public WsServerBuilder Configure(Action<ServerOptions, IServiceProvider> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        _setup.Configures.Add(configure);
        return this;
    }

    /// <summary>Shares the server's topics with every node on this Redis (a StackExchange.Redis configuration
    /// or a <c>redis://</c> URL); the configuration's <c>Redis</c> key goes over it.</summary>
    public WsServerBuilder UseRedisBackplane(string configuration)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(configuration);
        _setup.Redis = _ => new RedisBackplaneOptions { Configuration = configuration };
        return this;
    }

    /// <summary>Shares the server's topics through Redis with the options <paramref name="options"/> makes
    /// from the application's services (a connection it already has, say); the configuration's <c>Redis</c>
    /// key goes over them.</summary>
    public WsServerBuilder UseRedisBackplane(Func<IServiceProvider, RedisBackplaneOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _setup.Redis = options;
        return this;
    }

    private HandlerType Register<THandler>() where THandler : class
    {
        HandlerType handler = HandlerType.For(typeof(THandler));
        Services.TryAddSingleton<THandler>();
        return handler;
    }
}
