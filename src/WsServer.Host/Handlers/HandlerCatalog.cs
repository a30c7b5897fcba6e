using System.Reflection;
using WsServer.Handlers;
using WsServer.Host.BuiltInHandlers;
using WsServer.Host.Cli;
using WsServer.Hosting;

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
    private static readonly Dictionary<string, Action<ServerOptions>> BuiltIns = new(StringComparer.Ordinal)
    {
        ["echo"] = options => options.UseHandler(new EchoHandler()),
        ["chat"] = options => options.UseHandler(new ChatHandler()),
    };

    private static readonly MethodInfo UseHandler = typeof(ServerOptions).GetMethod(nameof(ServerOptions.UseHandler))
        ?? throw new MissingMethodException(nameof(ServerOptions), nameof(ServerOptions.UseHandler));

    /// <summary>The built-in handlers' names.</summary>
    public static IEnumerable<string> BuiltInNames => BuiltIns.Keys;

    /// <summary>Serves every path of <paramref name="options"/> with the handler <paramref name="spec"/> names.</summary>
    public static void Register(string spec, ServerOptions options)
    {
        if (BuiltIns.TryGetValue(spec, out Action<ServerOptions>? register))
        {
            register(options);
            return;
        }
        // The type name has no ':', so the last one separates it (a Windows path may have one too).
        int colon = spec.LastIndexOf(':');
        if (colon <= 0 || colon == spec.Length - 1 || !spec.AsSpan(0, colon).EndsWith(".dll", StringComparison.OrdinalIgnoreCase))
        {
            throw new UsageException(
                $"unknown handler '{spec}': expected one of {string.Join(", ", BuiltInNames)} or PATH.dll:Namespace.TypeName");
        }
        RegisterType(LoadType(spec[..colon], spec[(colon + 1)..]), options);
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

    private static void RegisterType(Type type, ServerOptions options)
    {
        Type[] handlerInterfaces = Array.FindAll(type.GetInterfaces(),
            i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IWebSocketHandler<>));
        if (handlerInterfaces.Length == 0 || type.IsAbstract || type.ContainsGenericParameters)
            throw new UsageException($"type {type.FullName} does not implement IWebSocketHandler<TState>");
        if (handlerInterfaces.Length > 1)
            throw new UsageException($"type {type.FullName} implements IWebSocketHandler<TState> for more than one TState");
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
        Type state = handlerInterfaces[0].GetGenericArguments()[0];
        UseHandler.MakeGenericMethod(state).Invoke(options, [handler, null]);
    }
}
