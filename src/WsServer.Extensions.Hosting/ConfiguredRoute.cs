using Microsoft.Extensions.Configuration;
using WsServer.Connections;
using WsServer.Protocol.Closing;
using WsServer.Protocol.Compression;
using WsServer.Routing;
using static WsServer.Extensions.Hosting.ConfigurationValues;

namespace WsServer.Extensions.Hosting;

/// <summary>One entry of <c>WsServer:Routes</c>: <c>"/chat": { "Handler": "chat", "MaxMessageSize": 65536,
/// "Subprotocols": ["chat.v2"] }</c>, or just <c>"/chat": "chat"</c>. Without a handler it tunes the
/// options of a route mapped in code.</summary>
internal sealed class ConfiguredRoute
{
    private static readonly string[] Known =
        ["Handler", "MaxMessageSize", "Subprotocols", "AllowedOrigins", "Compression", "DeliverControlFrames", "SlowConsumer", "AllowOrigins",
         "MaxLifetime", "LifetimeCloseCode", "RateLimit"];

    private ConfiguredRoute(string path, string pattern)
    {
        Path = path;
        Pattern = pattern;
    }

    /// <summary>The configuration key of the route, such as <c>WsServer:Routes:/chat</c>.</summary>
    public string Path { get; }

    public string Pattern { get; }

    /// <summary>The name the handler was registered under (<c>AddHandler&lt;T&gt;("chat")</c>); null when not given.</summary>
    public string? Handler { get; private set; }

    public string HandlerKey => $"{Path}:Handler";

    private long? _maxMessageSize;
    private IReadOnlyList<string>? _subprotocols;
    private IReadOnlyList<string>? _allowedOrigins;
    private PerMessageDeflateOptions? _compression;
    private bool? _deliverControlFrames;
    private SlowConsumerPolicy? _slowConsumer;
    private TimeSpan? _maxLifetime;
    private bool _lifetimeSet; // "off" sets no lifetime over one code gave
    private CloseCode? _lifetimeCloseCode;
    private MessageRateLimit? _rateLimit;
    private bool _rateLimitSet; // "off" takes away a limit code gave

    public static ConfiguredRoute Read(IConfigurationSection section)
    {
        // Configuration keys keep ':' as the separator; a route's path is the rest of its key.
        var route = new ConfiguredRoute(section.Path, section.Key);
        if (!route.Pattern.StartsWith('/'))
            throw Bad(section, $"is not a route: a route's path starts with '/', as in /chat or /rooms/*, not '{route.Pattern}'");
        IConfigurationSection[] children = [.. section.GetChildren()];
        if (children.Length == 0)
        {
            route.Handler = Text(section); // "/chat": "chat"
            return route;
        }
        foreach (IConfigurationSection child in children)
        {
            switch (Array.FindIndex(Known, k => k.Equals(child.Key, StringComparison.OrdinalIgnoreCase)))
            {
                case 0: route.Handler = Text(child); break;
                case 1: route._maxMessageSize = Integer(child, 1, long.MaxValue); break;
                case 2: route._subprotocols = List(child); break;
                case 3 or 7: route._allowedOrigins = List(child); break; // AllowOrigins: the wsserver program's name
                case 4: route._compression = Boolean(child) ? PerMessageDeflateOptions.Default : PerMessageDeflateOptions.Disabled; break;
                case 5: route._deliverControlFrames = Boolean(child); break;
                case 6: route._slowConsumer = Enum<SlowConsumerPolicy>(child); break;
                case 8:
                    TimeSpan lifetime = Duration(child, DurationRule.PositiveOrOff);
                    route._maxLifetime = lifetime == Timeout.InfiniteTimeSpan || lifetime == TimeSpan.Zero ? null : lifetime;
                    route._lifetimeSet = true;
                    break;
                case 9: route._lifetimeCloseCode = (CloseCode)Integer(child, 1000, 4999); break;
                case 10:
                    route._rateLimit = RateLimitConfiguration.Read(child);
                    route._rateLimitSet = true;
                    break;
                default: throw ServerConfiguration.Unknown(child, Known);
            }
        }
        return route;
    }

    /// <summary><paramref name="options"/> (the code's, or the defaults) with what this entry sets.</summary>
    public WebSocketRouteOptions ApplyTo(WebSocketRouteOptions options) => options with
    {
        MaxMessageSize = _maxMessageSize ?? options.MaxMessageSize,
        Subprotocols = _subprotocols ?? options.Subprotocols,
        AllowedOrigins = _allowedOrigins ?? options.AllowedOrigins,
        Compression = _compression ?? options.Compression,
        DeliverControlFrames = _deliverControlFrames ?? options.DeliverControlFrames,
        SlowConsumer = _slowConsumer ?? options.SlowConsumer,
        MaxLifetime = _lifetimeSet ? _maxLifetime : options.MaxLifetime,
        LifetimeCloseCode = _lifetimeCloseCode ?? options.LifetimeCloseCode,
        RateLimit = _rateLimitSet ? _rateLimit : options.RateLimit,
    };
}
