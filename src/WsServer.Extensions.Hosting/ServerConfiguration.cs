using System.Net;
using Microsoft.Extensions.Configuration;
using WsServer.Connections;
using WsServer.Hosting;
using WsServer.Protocol.Compression;
using WsServer.Routing;
using static WsServer.Extensions.Hosting.ConfigurationValues;

namespace WsServer.Extensions.Hosting;

/// <summary>Applies the configuration section (<c>"WsServer"</c>) to <see cref="ServerOptions"/>: each key
/// present overrides what code set, each key absent leaves it. An unknown key is an error, so a typo
/// does not go unnoticed.</summary>
internal static class ServerConfiguration
{
    private static readonly Dictionary<string, Action<IConfigurationSection, ServerOptions>> Settings =
        new(StringComparer.OrdinalIgnoreCase)
        {
            ["Port"] = (s, o) => o.Port = (int)Integer(s, 0, IPEndPoint.MaxPort),
            ["Address"] = (s, o) => o.Address = Address(s),
            ["Workers"] = (s, o) => o.Workers = (int)Integer(s, 1, int.MaxValue),
            ["ListenBacklog"] = (s, o) => o.ListenBacklog = (int)Integer(s, 1, int.MaxValue),
            ["MaxMessageSize"] = (s, o) => o.MaxMessageSize = Integer(s, 1, long.MaxValue),
            ["MaxFragmentsPerMessage"] = (s, o) => o.MaxFragmentsPerMessage = (int)Integer(s, 1, int.MaxValue),
            ["SendQueueLimit"] = (s, o) => o.SendQueueLimit = Integer(s, 1, long.MaxValue),
            ["SlowConsumer"] = (s, o) => o.SlowConsumer = Enum<SlowConsumerPolicy>(s),
            ["MaxConnections"] = (s, o) => o.MaxConnections = (int)Integer(s, 0, int.MaxValue),
            ["MaxConnectionsPerIp"] = (s, o) => o.MaxConnectionsPerIp = (int)Integer(s, 0, int.MaxValue),
            ["RateLimit"] = (s, o) => o.RateLimit = RateLimitConfiguration.Read(s),
            ["RateLimitPerIp"] = (s, o) => o.RateLimitPerIp = RateLimitConfiguration.Read(s),
            ["ConnectionsPerSecondPerIp"] = (s, o) => o.ConnectionsPerSecondPerIp = (int)Integer(s, 0, int.MaxValue),
            ["Compression"] = (s, o) => o.Compression = Boolean(s) ? PerMessageDeflateOptions.Default : PerMessageDeflateOptions.Disabled,
            ["ProxyProtocol"] = (s, o) => o.ProxyProtocol = Boolean(s),
            ["EpollTransport"] = (s, o) => o.EpollTransport = Boolean(s),
            ["InlineIo"] = (s, o) => o.InlineIo = Boolean(s),
            ["HandshakeTimeout"] = (s, o) => o.HandshakeTimeout = Duration(s, DurationRule.Positive),
            ["CloseTimeout"] = (s, o) => o.CloseTimeout = Duration(s, DurationRule.Positive),
            ["KeepAliveInterval"] = (s, o) => o.KeepAliveInterval = Duration(s, DurationRule.PositiveOrOff),
            ["PongTimeout"] = (s, o) => o.PongTimeout = Duration(s, DurationRule.PositiveOrOff),
            ["IdleTimeout"] = (s, o) => o.IdleTimeout = Duration(s, DurationRule.PositiveOrOff),
            ["DrainTimeout"] = (s, o) => o.DrainTimeout = Duration(s, DurationRule.NotNegative),
            ["TraceHandlerCalls"] = (s, o) => o.TraceHandlerCalls = Boolean(s),
            ["HealthPath"] = (s, o) => o.HealthPath = ProbePath(s),
            ["ReadinessPath"] = (s, o) => o.ReadinessPath = ProbePath(s),
        };

    /// <summary>A probe's path; <c>off</c> (any case) or empty for none.</summary>
    private static string? ProbePath(IConfigurationSection section)
    {
        string path = Text(section);
        if (path.Length == 0 || path.Equals("off", StringComparison.OrdinalIgnoreCase)) return null;
        return RouteTable.IsPagePath(path)
            ? path
            : throw Bad(section, "is a path starting with '/' (no query, no space), or off");
    }

    private const string RoutesKey = "Routes";

    /// <summary>Every key of the section, routes and Redis included.</summary>
    public static IEnumerable<string> Keys => [.. Settings.Keys, RoutesKey, BackplaneConfiguration.Key];

    /// <summary>Applies the server-wide settings of <paramref name="section"/> to <paramref name="options"/>
    /// and returns its routes, by pattern; <paramref name="redis"/> is the section's <c>Redis</c> over
    /// what code gave, if either said anything. <paramref name="ownKeys"/> (case-insensitive) are keys
    /// the caller reads itself, each given its section before the server's keys are tried.</summary>
    public static IReadOnlyDictionary<string, ConfiguredRoute> Apply(IConfiguration section, ServerOptions options,
        ref Redis.RedisBackplaneOptions? redis, IReadOnlyDictionary<string, Action<IConfigurationSection>>? ownKeys = null)
    {
        var routes = new Dictionary<string, ConfiguredRoute>(StringComparer.Ordinal);
        foreach (IConfigurationSection child in section.GetChildren())
        {
            if (ownKeys is not null && ownKeys.TryGetValue(child.Key, out Action<IConfigurationSection>? read))
            {
                read(child);
            }
            else if (child.Key.Equals(RoutesKey, StringComparison.OrdinalIgnoreCase))
            {
                foreach (IConfigurationSection route in child.GetChildren())
                {
                    ConfiguredRoute configured = ConfiguredRoute.Read(route);
                    routes.Add(configured.Pattern, configured);
                }
            }
            else if (child.Key.Equals(BackplaneConfiguration.Key, StringComparison.OrdinalIgnoreCase))
            {
                redis = BackplaneConfiguration.Read(child, redis);
            }
            else if (Settings.TryGetValue(child.Key, out Action<IConfigurationSection, ServerOptions>? apply))
            {
                apply(child, options);
            }
            else
            {
                throw Unknown(child, [.. Keys, .. ownKeys?.Keys ?? []]);
            }
        }
        return routes;
    }

    /// <summary>The error for a key the server does not know, listing the ones it does.</summary>
    public static WsServerConfigurationException Unknown(IConfigurationSection section, IEnumerable<string> known)
    {
        string value = section.Value is { } text ? $"= '{text}' " : "";
        return Bad(section.Path, $"{value}is not a setting the server knows; the known ones are {string.Join(", ", known)}");
    }
}
