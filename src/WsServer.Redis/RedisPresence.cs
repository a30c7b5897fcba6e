using System.Collections.Concurrent;
using System.Text;
using StackExchange.Redis;
using WsServer.PubSub;

namespace WsServer.Redis;

/// <summary>
/// Presence in Redis: per topic a hash of its members (<c>NODE/ID</c> to info), named with the topic as the
/// hash tag like the topic's channel, so that one script records a change and publishes it to the topic's
/// listeners on one shard. Each node keeps a key <c>PREFIX:alive:NODE</c> alive with a heartbeat; a listing
/// leaves out (and removes) the members of nodes whose key has expired, so a node that dies leaves presence
/// within <see cref="RedisBackplaneOptions.PresenceTimeout"/>. Each node also remembers its own members, to
/// write them again when Redis comes back empty.
/// </summary>
internal sealed class RedisPresence(string prefix, string nodeId, TimeSpan timeout)
{
    // KEYS: the topic's hash. ARGV: member, info ('' to remove), channel, envelope, publish command.
    private const string ChangeScript = """
        if ARGV[2] == '' then redis.call('HDEL', KEYS[1], ARGV[1]) else redis.call('HSET', KEYS[1], ARGV[1], ARGV[2]) end
        redis.call(ARGV[5], ARGV[3], ARGV[4])
        """;

    // This node's members: topic, then connection id to info.
    private readonly ConcurrentDictionary<string, ConcurrentDictionary<long, string>> _mine = new(StringComparer.Ordinal);

    public TimeSpan Timeout => timeout;

    /// <summary>The envelope of a join or leave: the topic, the connection, then 1 or 0 and the info.</summary>
    public Envelope Change(string topic, PresenceMember member, bool joined, long ticks)
    {
        if (joined) _mine.GetOrAdd(topic, static _ => new())[member.ConnectionId] = member.Info;
        else if (_mine.TryGetValue(topic, out ConcurrentDictionary<long, string>? members)) members.TryRemove(member.ConnectionId, out _);
        byte[] payload = [joined ? (byte)1 : (byte)0, .. Encoding.UTF8.GetBytes(member.Info)];
        return new Envelope(EnvelopeTarget.Presence, IsText: true, ticks, nodeId, topic, member.ConnectionId, payload);
    }

    /// <summary>The pump's step for a presence change: record it and tell the topic's listeners.</summary>
    public Task ApplyAsync(IDatabase redis, Outgoing item, bool sharded)
    {
        Envelope envelope = item.Envelope;
        bool joined = envelope.Payload.Span[0] == 1;
        return redis.ScriptEvaluateAsync(ChangeScript, [Key(envelope.Topic!)],
        [
            $"{nodeId}/{envelope.ConnectionId}",
            joined ? envelope.Payload[1..].ToArray() : "",
            (string)item.Channel!,
            envelope.ToBytes(),
            sharded ? "SPUBLISH" : "PUBLISH",
        ]);
    }

    /// <summary>What a received presence envelope says.</summary>
    public static PresenceChange Read(in Envelope envelope) =>
        new(envelope.Topic!, new PresenceMember(envelope.Origin, envelope.ConnectionId, Encoding.UTF8.GetString(envelope.Payload.Span[1..])),
            Joined: envelope.Payload.Span[0] == 1);

    /// <summary>Keeps this node alive for <see cref="Timeout"/> more (the heartbeat).</summary>
    public Task BeatAsync(IDatabase redis) => redis.StringSetAsync(Alive(nodeId), 1, timeout);

    /// <summary>Writes this node's members again (Redis came back, maybe empty).</summary>
    public async Task RestoreAsync(IDatabase redis)
    {
        await BeatAsync(redis).ConfigureAwait(false);
        foreach ((string topic, ConcurrentDictionary<long, string> members) in _mine)
        {
            foreach ((long id, string info) in members) await redis.HashSetAsync(Key(topic), $"{nodeId}/{id}", info).ConfigureAwait(false);
        }
    }

    /// <summary>Every member of <paramref name="topic"/> on a node that is alive; removes the others. This
    /// node's own come from its memory, which is ahead of Redis (a join may still be on its way there).</summary>
    public async Task<IReadOnlyList<PresenceMember>> ListAsync(IDatabase redis, string topic)
    {
        HashEntry[] entries = await redis.HashGetAllAsync(Key(topic)).ConfigureAwait(false);
        var alive = new Dictionary<string, bool>(StringComparer.Ordinal);
        List<PresenceMember> members = _mine.TryGetValue(topic, out ConcurrentDictionary<long, string>? mine)
            ? [.. mine.Select(m => new PresenceMember(nodeId, m.Key, m.Value))]
            : [];
        foreach (HashEntry entry in entries)
        {
            ConnectionAddress address = ConnectionAddress.Parse(entry.Name!);
            if (address.NodeId == nodeId) continue;
            if (!alive.TryGetValue(address.NodeId, out bool isAlive))
                alive[address.NodeId] = isAlive = await redis.KeyExistsAsync(Alive(address.NodeId)).ConfigureAwait(false);
            if (isAlive) members.Add(new PresenceMember(address.NodeId, address.ConnectionId, (string?)entry.Value ?? ""));
            else _ = redis.HashDeleteAsync(Key(topic), entry.Name, CommandFlags.FireAndForget);
        }
        return members;
    }

    /// <summary>This node leaves: its key goes, so its members drop out of every listing at once.</summary>
    public Task LeaveAsync(IDatabase redis) => redis.KeyDeleteAsync(Alive(nodeId));

    private RedisKey Key(string topic) => $"{prefix}:presence:{{{topic}}}";

    private RedisKey Alive(string node) => $"{prefix}:alive:{node}";
}
