using WsServer.Connections;

namespace WsServer.Routing;

/// <summary>
/// Maps request paths to handlers (the seed's "accept connections only for a given resource").
/// An exact route wins over a prefix route; the longest prefix wins among prefixes; the fallback,
/// when set, serves every other path; with no match the request gets 404.
/// </summary>
public sealed class RouteTable
{
    private readonly Dictionary<string, WebSocketRoute> _exact = new(StringComparer.Ordinal);
    private readonly List<(string Prefix, WebSocketRoute Route)> _prefixes = [];
    private readonly Dictionary<string, StaticPage> _pages = new(StringComparer.Ordinal);

    /// <summary>The route for paths nothing else matches; null gives them 404.</summary>
    public WebSocketRoute? Fallback { get; private set; }

    /// <summary>All mapped routes, fallback last.</summary>
    public IEnumerable<WebSocketRoute> Routes =>
        _exact.Values.Concat(_prefixes.Select(p => p.Route)).Concat(Fallback is null ? [] : [Fallback]);

    /// <summary>Serves <paramref name="pattern"/> (<c>/chat</c>, or <c>/rooms/*</c> for every path
    /// under <c>/rooms/</c>) with <paramref name="handler"/>.</summary>
    /// <exception cref="ArgumentException">A bad pattern, a pattern mapped twice, or a bad option (named).</exception>
    public RouteTable Map<TState>(string pattern, IWebSocketHandler<TState> handler, WebSocketRouteOptions? options = null) =>
        Add(CheckPattern(pattern), WebSocketRoute.Create(pattern, handler, options));

    /// <summary>Serves <paramref name="pattern"/> with a handler that keeps no state per connection.</summary>
    public RouteTable Map(string pattern, IWebSocketHandler handler, WebSocketRouteOptions? options = null) =>
        Add(CheckPattern(pattern), WebSocketRoute.Create(pattern, handler, options));

    /// <summary>Serves <paramref name="pattern"/> with a function of each message and its connection:
    /// <c>Map("/echo", (message, connection) =&gt; HandleResult.Reply(message))</c>.</summary>
    public RouteTable Map(string pattern, Func<WebSocketMessage, WebSocketConnection, HandleResult> handle, WebSocketRouteOptions? options = null) =>
        Add(CheckPattern(pattern), WebSocketRoute.Create(pattern, handle, options));

    /// <summary>Serves <paramref name="pattern"/> with an asynchronous function of each message and its connection.</summary>
    public RouteTable Map(string pattern, Func<WebSocketMessage, WebSocketConnection, CancellationToken, ValueTask<HandleResult>> handle,
        WebSocketRouteOptions? options = null) =>
        Add(CheckPattern(pattern), WebSocketRoute.Create(pattern, handle, options));

    /// <summary>Serves <paramref name="route"/>'s pattern with it (a route made by <see cref="WebSocketRoute.Create{TState}"/>).</summary>
    /// <exception cref="ArgumentException">A bad pattern, or a pattern mapped twice.</exception>
    public RouteTable Map(WebSocketRoute route)
    {
        ArgumentNullException.ThrowIfNull(route);
        return Add(CheckPattern(route.Pattern), route);
    }

    /// <summary>Serves every path that no other route matches with <paramref name="handler"/>.</summary>
    public RouteTable MapFallback<TState>(IWebSocketHandler<TState> handler, WebSocketRouteOptions? options = null)
    {
        Fallback = WebSocketRoute.Create("/*", handler, options);
        return this;
    }

    /// <summary>Serves every path that no other route matches with a handler that keeps no state.</summary>
    public RouteTable MapFallback(IWebSocketHandler handler, WebSocketRouteOptions? options = null)
    {
        Fallback = WebSocketRoute.Create("/*", handler, options);
        return this;
    }

    private static string CheckPattern(string pattern)
    {
        ArgumentException.ThrowIfNullOrEmpty(pattern);
        if (pattern[0] != '/') throw new ArgumentException($"A route starts with '/': '{pattern}'.", nameof(pattern));
        return pattern;
    }

    private RouteTable Add(string pattern, WebSocketRoute route)
    {
        if (route.IsPrefix)
        {
            string prefix = pattern[..^1];
            if (_prefixes.Exists(p => p.Prefix == prefix)) throw new ArgumentException($"Route '{pattern}' is mapped twice.", nameof(pattern));
            _prefixes.Add((prefix, route));
            _prefixes.Sort((a, b) => b.Prefix.Length.CompareTo(a.Prefix.Length));
        }
        else if (!_exact.TryAdd(pattern, route))
        {
            throw new ArgumentException($"Route '{pattern}' is mapped twice.", nameof(pattern));
        }
        return this;
    }

    /// <summary>True for a path a page or a probe can be served at: it starts with '/' and holds visible ASCII only,
    /// with no query (a request's target never holds a space or a control character, and its query is not its path).</summary>
    public static bool IsPagePath(string path) =>
        path is ['/', ..] && !path.AsSpan().ContainsAnyExceptInRange('!', '~') && !path.Contains('?', StringComparison.Ordinal);

    /// <summary>Serves <paramref name="page"/> with 200 to a plain GET of exactly <paramref name="path"/>;
    /// an upgrade request for the same path still goes to its WebSocket route.</summary>
    /// <exception cref="ArgumentException">The path is not one a page can be served at (<see cref="IsPagePath"/>).</exception>
    public RouteTable MapPage(string path, StaticPage page)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(page);
        if (!IsPagePath(path)) throw new ArgumentException($"A page's path starts with '/' and holds no query, space or non-ASCII character: '{path}'.", nameof(path));
        _pages[path] = page;
        return this;
    }

    /// <summary>The page mapped at <paramref name="path"/>; null when none is.</summary>
    public StaticPage? MatchPage(string path) => _pages.GetValueOrDefault(path);

    /// <summary>The route serving <paramref name="path"/>; null when none does.</summary>
    public WebSocketRoute? Match(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (_exact.TryGetValue(path, out WebSocketRoute? route)) return route;
        foreach ((string prefix, WebSocketRoute candidate) in _prefixes)
        {
            // "/rooms/*" serves "/rooms/a" and "/rooms/", and "/rooms" itself.
            if (path.StartsWith(prefix, StringComparison.Ordinal)
                || (path.Length == prefix.Length - 1 && prefix.StartsWith(path, StringComparison.Ordinal))) return candidate;
        }
        return Fallback;
    }
}
