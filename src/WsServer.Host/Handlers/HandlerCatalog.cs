using System.Reflection;
using WsServer.Connections;
using WsServer.Extensions.Hosting;
using WsServer.Host.BuiltInHandlers;
using WsServer.Host.Cli;
using WsServer.Host.Exits;
using WsServer.Hosting;
using WsServer.Routing;

namespace WsServer.Host.Handlers;

/// <summary>
/// Resolves the <c>--handler</c> value to a handler on the server options: a built-in by name
/// (<c>echo</c>, <c>chat</c>), or <c>PATH.dll:Namespace.TypeName</c>, a type loaded from an assembly
/// (the seed's handler module given by name). The type must implement
/// <see cref="IWebSocketHandler{TState}"/> for one <c>TState</c> and have a public parameterless
/// constructor; one instance serves every connection. Every failure is a <see cref="UsageException"/>
/// whose message says which part was wrong.
/// </summary>
internal static class HandlerCatalog
{
    // A built-in's topic is named after its route's pattern ("*" for the fallback), the same in every
    // process, so that processes sharing a Redis share the room.
    private static readonly Dictionary<string, Action<ServerOptions, string?, WebSocketRouteOptions?, int>> BuiltIns = new(StringComparer.Ordinal)
    {
        ["echo"] = static (server, pattern, options, _) => MapStateless(new EchoHandler(), server.Routes, pattern, options),
        ["broadcast"] = static (server, pattern, options, _) => MapStateful(new BroadcastHandler(pattern), server.Routes, pattern, options),
        ["chat"] = static (server, pattern, options, history) =>
        {
            var chat = new ChatHandler(pattern, history);
            MapStateful(chat, server.Routes, pattern, options);
            if (chat.History is { } kept) server.History.Keep(chat.Topic, kept);
            // The chat comes with its page, for a browser to join it at /.
            server.Routes.MapPage("/", ChatPage.For(pattern));
        },
    };

    // Only a plugin with a state type of its own needs reflection: the generic Map<TState> for its TState.
    private static readonly MethodInfo Map = GenericMethod(nameof(RouteTable.Map));
    private static readonly MethodInfo MapFallback = GenericMethod(nameof(RouteTable.MapFallback));

    /// <summary>The built-in handlers' names.</summary>
    public static IEnumerable<string> BuiltInNames => BuiltIns.Keys;

    /// <summary>Serves <paramref name="pattern"/> (every path no route matches when null) of
    /// <paramref name="options"/> with the handler <paramref name="spec"/> names.</summary>
    public static void Register(string spec, ServerOptions options, string? pattern = null, WebSocketRouteOptions? routeOptions = null,
        int chatHistory = ChatHandler.DefaultHistoryLength)
    {
        if (BuiltIns.TryGetValue(spec, out Action<ServerOptions, string?, WebSocketRouteOptions?, int>? map))
        {
            try
            {
                map(options, pattern, routeOptions, chatHistory);
            }
            catch (ArgumentException ex)
            {
                throw new UsageException($"--route {pattern}: {UserMessage.Of(ex)}", ex);
            }
            return;
        }
        // The type name has no ':', so the last one separates it (a Windows path may have one too).
        int colon = spec.LastIndexOf(':');
        if (colon <= 0 || colon == spec.Length - 1 || !spec.AsSpan(0, colon).EndsWith(".dll", StringComparison.OrdinalIgnoreCase))
        {
            throw new UsageException(
                $"unknown handler '{spec}': expected one of {string.Join(", ", BuiltInNames)} or PATH.dll:Namespace.TypeName");
        }
        MapHandler(CreateHandler(LoadType(spec[..colon], spec[(colon + 1)..])), options.Routes, pattern, routeOptions);
    }

    private static Type LoadType(string path, string typeName)
    {
        string fullPath = Path.GetFullPath(path);
        if (!File.Exists(fullPath)) throw new UsageException($"assembly not found: {path}");
        Assembly assembly;
        try
        {
            // LoadFrom resolves the plugin's own dependencies from its folder, while WsServer itself
            // is unified with the host's copy, so the handler interface is the same type.
            assembly = Assembly.LoadFrom(fullPath);
        }
        catch (Exception ex) when (ex is BadImageFormatException or FileLoadException)
        {
            throw new UsageException($"not a .NET assembly: {path} ({ex.Message})", ex);
        }
        try
        {
            return assembly.GetType(typeName, throwOnError: false) ?? throw new UsageException($"type {typeName} not found in {path}");
        }
        catch (Exception ex) when (ex is FileNotFoundException or FileLoadException or TypeLoadException)
        {
            throw new UsageException($"type {typeName} in {path} cannot be loaded: {ex.Message}", ex);
        }
    }

    private static void MapStateless(IWebSocketHandler handler, RouteTable routes, string? pattern, WebSocketRouteOptions? options)
    {
        if (pattern is null) routes.MapFallback(handler, options);
        else routes.Map(pattern, handler, options);
    }

    private static void MapStateful<TState>(IWebSocketHandler<TState> handler, RouteTable routes, string? pattern, WebSocketRouteOptions? options)
    {
        if (pattern is null) routes.MapFallback(handler, options);
        else routes.Map(pattern, handler, options);
    }

    private static MethodInfo GenericMethod(string name) =>
        typeof(RouteTable).GetMethods().Single(m => m.Name == name && m.IsGenericMethodDefinition);

    private static void MapHandler(object handler, RouteTable routes, string? pattern, WebSocketRouteOptions? routeOptions)
    {
        if (handler is IWebSocketHandler stateless)
        {
            try
            {
                MapStateless(stateless, routes, pattern, routeOptions);
            }
            catch (ArgumentException ex)
            {
                throw new UsageException($"--route {pattern}: {UserMessage.Of(ex)}", ex);
            }
            return;
        }
        Type state = HandlerInterface(handler.GetType()).GetGenericArguments()[0];
        try
        {
            if (pattern is null) MapFallback.MakeGenericMethod(state).Invoke(routes, [handler, routeOptions]);
            else Map.MakeGenericMethod(state).Invoke(routes, [pattern, handler, routeOptions]);
        }
        catch (TargetInvocationException ex) when (ex.InnerException is ArgumentException)
        {
            throw new UsageException($"--route {pattern}: {UserMessage.Of(ex.InnerException)}", ex.InnerException);
        }
    }

    private static Type HandlerInterface(Type type) => Array.Find(type.GetInterfaces(),
        i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IWebSocketHandler<>))!;

    private static object CreateHandler(Type type)
    {
        Type[] handlerInterfaces = Array.FindAll(type.GetInterfaces(),
            i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IWebSocketHandler<>));
        bool stateless = typeof(IWebSocketHandler).IsAssignableFrom(type);
        if ((handlerInterfaces.Length == 0 && !stateless) || type.IsAbstract || type.ContainsGenericParameters)
            throw new UsageException($"type {type.FullName} does not implement IWebSocketHandler or IWebSocketHandler<TState>");
        if (handlerInterfaces.Length > 1 || (handlerInterfaces.Length == 1 && stateless))
            throw new UsageException($"type {type.FullName} implements more than one handler interface");
        if (type.GetConstructor(Type.EmptyTypes) is null)
            throw new UsageException($"type {type.FullName} has no public parameterless constructor");

        object handler;
        try
        {
            handler = Activator.CreateInstance(type)!;
        }
        catch (TargetInvocationException ex)
        {
            throw new UsageException($"type {type.FullName} constructor failed: {ex.InnerException?.Message}", ex);
        }
        return handler;
    }
}
