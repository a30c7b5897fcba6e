using WsServer.Connections;

namespace WsServer.Routing;

/// <summary>A resource a handler serves: an exact path (<c>/chat</c>) or a prefix (<c>/rooms/*</c>).</summary>
public sealed class WebSocketRoute
{
    private readonly Func<HandlerSession> _createSession;

    private WebSocketRoute(string pattern, WebSocketRouteOptions options, Func<HandlerSession> createSession, IUpgradeFilter? filter)
    {
        Pattern = pattern;
        Options = options;
        _createSession = createSession;
        Filter = filter;
    }

    /// <summary>The path as mapped: exact, or ending in <c>/*</c> for a prefix.</summary>
    public string Pattern { get; }

    /// <summary>The route's settings.</summary>
    public WebSocketRouteOptions Options { get; }

    /// <summary>True for a prefix route.</summary>
    public bool IsPrefix => Pattern.EndsWith("/*", StringComparison.Ordinal);

    /// <summary>The handler, when it also implements <see cref="IUpgradeFilter"/>.</summary>
    internal IUpgradeFilter? Filter { get; }

    internal HandlerSession CreateSession() => _createSession();

    /// <summary>A route served by <paramref name="handler"/>, for a host that routes requests itself
    /// (<see cref="Hosting.WebSocketServer.AcceptUpgradeAsync"/>); <see cref="RouteTable.Map{TState}"/> makes the same.</summary>
    /// <exception cref="ArgumentException">A bad option (named).</exception>
    public static WebSocketRoute Create<TState>(string pattern, IWebSocketHandler<TState> handler, WebSocketRouteOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(handler);
        return Create(pattern, options, () => new StatefulHandlerSession<TState>(handler), handler as IUpgradeFilter);
    }

    /// <summary>A route served by <paramref name="handler"/>, which keeps no state per connection.</summary>
    /// <exception cref="ArgumentException">A bad option (named).</exception>
    public static WebSocketRoute Create(string pattern, IWebSocketHandler handler, WebSocketRouteOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(handler);
        return Create(pattern, options, () => new StatelessHandlerSession(handler), handler as IUpgradeFilter);
    }

    /// <summary>A route served by a function of each message and its connection.</summary>
    /// <exception cref="ArgumentException">A bad option (named).</exception>
    public static WebSocketRoute Create(string pattern, Func<WebSocketMessage, WebSocketConnection, HandleResult> handle, WebSocketRouteOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(handle);
        return Create(pattern, new DelegateHandler((m, c, _) => new(handle(m, c))), options);
    }

    /// <summary>A route served by an asynchronous function of each message and its connection.</summary>
    /// <exception cref="ArgumentException">A bad option (named).</exception>
    public static WebSocketRoute Create(string pattern, Func<WebSocketMessage, WebSocketConnection, CancellationToken, ValueTask<HandleResult>> handle,
        WebSocketRouteOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(handle);
        return Create(pattern, new DelegateHandler(handle), options);
    }

    private static WebSocketRoute Create(string pattern, WebSocketRouteOptions? options, Func<HandlerSession> createSession, IUpgradeFilter? filter)
    {
        ArgumentException.ThrowIfNullOrEmpty(pattern);
        options ??= WebSocketRouteOptions.Default;
        options.Validate(pattern);
        return new WebSocketRoute(pattern, options, createSession, filter);
    }
}
