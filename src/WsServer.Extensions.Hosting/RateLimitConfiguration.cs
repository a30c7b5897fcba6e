using Microsoft.Extensions.Configuration;
using WsServer.Connections;
using static WsServer.Extensions.Hosting.ConfigurationValues;

namespace WsServer.Extensions.Hosting;

/// <summary>A <see cref="MessageRateLimit"/> from a configuration section (<c>RateLimit</c>, <c>RateLimitPerIp</c>, a
/// route's <c>RateLimit</c>): <c>{ "MessagesPerSecond": 100, "MessageBurst": 200, "BytesPerSecond": 1048576,
/// "ByteBurst": 4194304, "OnExcess": "Pause" }</c>; <c>off</c> for none.</summary>
internal static class RateLimitConfiguration
{
    private static readonly string[] Known = ["MessagesPerSecond", "MessageBurst", "BytesPerSecond", "ByteBurst", "OnExcess"];

    public static MessageRateLimit? Read(IConfigurationSection section)
    {
        if (section.Value is { } value)
        {
            if (value.Equals("off", StringComparison.OrdinalIgnoreCase) || value.Length == 0) return null;
            throw Bad(section, $"is a section ({string.Join(", ", Known)}) or off, not '{value}'");
        }
        var limit = new MessageRateLimit();
        foreach (IConfigurationSection child in section.GetChildren())
        {
            limit = Array.FindIndex(Known, k => k.Equals(child.Key, StringComparison.OrdinalIgnoreCase)) switch
            {
                0 => limit with { MessagesPerSecond = (int)Integer(child, 0, int.MaxValue) },
                1 => limit with { MessageBurst = (int)Integer(child, 0, int.MaxValue) },
                2 => limit with { BytesPerSecond = (int)Integer(child, 0, int.MaxValue) },
                3 => limit with { ByteBurst = (int)Integer(child, 0, int.MaxValue) },
                4 => limit with { OnExcess = Enum<RateLimitExcess>(child) },
                _ => throw ServerConfiguration.Unknown(child, Known),
            };
        }
        return limit;
    }
}
