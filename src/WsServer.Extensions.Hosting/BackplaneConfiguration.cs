using Microsoft.Extensions.Configuration;
using WsServer.Redis;
using static WsServer.Extensions.Hosting.ConfigurationValues;

namespace WsServer.Extensions.Hosting;

/// <summary>Reads the <c>"Redis"</c> key of the server's section: either the Redis itself as one string
/// (<c>"Redis": "redis.internal:6379,password=..."</c>, or a <c>redis://</c> URL), or a section with
/// <c>Configuration</c> and the backplane's other options.</summary>
internal static class BackplaneConfiguration
{
    public const string Key = "Redis";

    private static readonly string[] Known =
        ["Configuration", "ChannelPrefix", "NodeId", "MaxQueuedMessages", "MaxQueuedBytes", "ShardedPubSub"];

    public static RedisBackplaneOptions Read(IConfigurationSection section, RedisBackplaneOptions? code)
    {
        RedisBackplaneOptions options = code ?? new RedisBackplaneOptions();
        // A configuration string replaces a connection given in code.
        if (section.Value is not null) return options with { Configuration = Text(section), Connection = null };
        foreach (IConfigurationSection child in section.GetChildren())
        {
            options = child.Key.ToUpperInvariant() switch
            {
                "CONFIGURATION" => options with { Configuration = Text(child), Connection = null },
                "CHANNELPREFIX" => options with { ChannelPrefix = Text(child) },
                "NODEID" => options with { NodeId = Text(child) },
                "MAXQUEUEDMESSAGES" => options with { MaxQueuedMessages = (int)Integer(child, 1, int.MaxValue) },
                "MAXQUEUEDBYTES" => options with { MaxQueuedBytes = Integer(child, 1, long.MaxValue) },
                "SHARDEDPUBSUB" => options with { ShardedPubSub = Boolean(child) },
                _ => throw ServerConfiguration.Unknown(child, Known),
            };
        }
        if (options.Configuration is null && options.Connection is null)
            throw Bad(section, "needs a Configuration: the Redis to use (HOST:PORT, a StackExchange.Redis configuration or a redis:// URL)");
        return options;
    }
}
