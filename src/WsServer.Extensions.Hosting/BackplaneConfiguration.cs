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
        if (section.Value is { } configuration)
            return With(code, configuration: Text(section));
        RedisBackplaneOptions options = With(code, configuration: null);
        foreach (IConfigurationSection child in section.GetChildren())
        {
            options = child.Key.ToUpperInvariant() switch
            {
                "CONFIGURATION" => With(options, configuration: Text(child)),
                "CHANNELPREFIX" => Copy(options, channelPrefix: Text(child)),
                "NODEID" => Copy(options, nodeId: Text(child)),
                "MAXQUEUEDMESSAGES" => Copy(options, maxMessages: (int)Integer(child, 1, int.MaxValue)),
                "MAXQUEUEDBYTES" => Copy(options, maxBytes: Integer(child, 1, long.MaxValue)),
                "SHARDEDPUBSUB" => Copy(options, sharded: Boolean(child)),
                _ => throw ServerConfiguration.Unknown(child, Known),
            };
        }
        if (options.Configuration is null && options.Connection is null)
            throw Bad(section, "needs a Configuration: the Redis to use (HOST:PORT, a StackExchange.Redis configuration or a redis:// URL)");
        return options;
    }

    // A configuration string replaces a connection given in code, and the other way round.
    private static RedisBackplaneOptions With(RedisBackplaneOptions? options, string? configuration) => new()
    {
        Configuration = configuration ?? options?.Configuration,
        Connection = configuration is null ? options?.Connection : null,
        ChannelPrefix = options?.ChannelPrefix ?? "wsserver",
        NodeId = options?.NodeId,
        MaxQueuedMessages = options?.MaxQueuedMessages ?? 10_000,
        MaxQueuedBytes = options?.MaxQueuedBytes ?? 16 * 1024 * 1024,
        ShardedPubSub = options?.ShardedPubSub,
        TimeProvider = options?.TimeProvider,
    };

    private static RedisBackplaneOptions Copy(RedisBackplaneOptions options, string? channelPrefix = null, string? nodeId = null,
        int? maxMessages = null, long? maxBytes = null, bool? sharded = null) => new()
    {
        Configuration = options.Configuration,
        Connection = options.Connection,
        ChannelPrefix = channelPrefix ?? options.ChannelPrefix,
        NodeId = nodeId ?? options.NodeId,
        MaxQueuedMessages = maxMessages ?? options.MaxQueuedMessages,
        MaxQueuedBytes = maxBytes ?? options.MaxQueuedBytes,
        ShardedPubSub = sharded ?? options.ShardedPubSub,
        TimeProvider = options.TimeProvider,
    };
}
