using System.Globalization;
using System.Text;
using StackExchange.Redis;
using WsServer.PubSub;

namespace WsServer.Redis;

/// <summary>
/// Topic history in Redis: per topic a stream of its messages and a small hash of its last offset and its
/// epoch, named with the topic as the hash tag (<c>PREFIX:history:{TOPIC}:...</c>, as the topic's channel
/// <c>PREFIX:topic:{TOPIC}</c>) so that all three live on one cluster shard. One script gives a message its
/// offset, keeps it, trims the stream and publishes it with its position, atomically: every node sees the
/// same positions in the same order. A lost hash (a flushed Redis) starts a new epoch.
/// </summary>
internal sealed class RedisHistory(string prefix, bool sharded)
{
    // KEYS: hash, stream. ARGV: epoch if new, max messages, max age ms (0: none), channel, envelope, publish command.
    private const string AppendScript = """
        local offset = redis.call('HINCRBY', KEYS[1], 'o', 1)
        local epoch = redis.call('HGET', KEYS[1], 'e')
        if not epoch then
          epoch = ARGV[1]
          redis.call('HSET', KEYS[1], 'e', epoch)
        end
        redis.call('XADD', KEYS[2], 'MAXLEN', ARGV[2], '*', 'o', offset, 'm', ARGV[5])
        local age = tonumber(ARGV[3])
        if age > 0 then
          local now = redis.call('TIME')
          redis.call('XTRIM', KEYS[2], 'MINID', tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000) - age)
          redis.call('PEXPIRE', KEYS[2], age)
        end
        redis.call(ARGV[6], ARGV[4], offset .. ':' .. epoch .. '\n' .. ARGV[5])
        return offset
        """;

    // KEYS: hash, stream. ARGV: how many of the newest, since offset (-1: none), since epoch.
    // Returns the latest offset, the epoch, then offset and envelope of each message, oldest first.
    private const string ReadScript = """
        local meta = redis.call('HMGET', KEYS[1], 'o', 'e')
        local latest = tonumber(meta[1]) or 0
        local epoch = meta[2] or ''
        local count = tonumber(ARGV[1])
        local since = tonumber(ARGV[2])
        if since >= 0 then
          if epoch ~= ARGV[3] or since > latest then return {latest, epoch} end
          count = latest - since
        end
        local result = {latest, epoch}
        if count == 0 then return result end
        local entries = redis.call('XREVRANGE', KEYS[2], '+', '-', 'COUNT', count)
        for i = #entries, 1, -1 do
          local fields = entries[i][2]
          table.insert(result, fields[2])
          table.insert(result, fields[4])
        end
        return result
        """;

    public RedisChannel Channel(string topic) => Named($"{prefix}:topic:{{{topic}}}");

    public RedisChannel Named(string name) => sharded ? RedisChannel.Sharded(name) : RedisChannel.Literal(name);

    /// <summary>Appends (the pump's step for a message of a topic that keeps history).</summary>
    public Task AppendAsync(IDatabase redis, Outgoing item)
    {
        TopicHistoryOptions options = item.History!;
        string topic = item.Envelope.Topic!;
        return redis.ScriptEvaluateAsync(AppendScript, [Key(topic, "meta"), Key(topic, "stream")],
        [
            Guid.NewGuid().ToString("N")[..8],
            options.MaxMessages,
            (long)(options.MaxAge?.TotalMilliseconds ?? 0),
            (string)item.Channel!,
            item.Envelope.ToBytes(),
            sharded ? "SPUBLISH" : "PUBLISH",
        ]);
    }

    public async Task<TopicHistoryPage> ReadAsync(IDatabase redis, string topic, TopicPosition? since, int last)
    {
        RedisResult result = await redis.ScriptEvaluateAsync(ReadScript, [Key(topic, "meta"), Key(topic, "stream")],
            [last, since?.Offset ?? -1, since?.Epoch ?? ""]).ConfigureAwait(false);
        var values = (RedisResult[])result!;
        var latest = new TopicPosition((long)values[0], (string?)values[1] ?? "");
        var messages = new List<TopicMessage>((values.Length - 2) / 2);
        for (int i = 2; i + 1 < values.Length; i += 2)
        {
            if (Envelope.TryRead((byte[])values[i + 1]!, out Envelope envelope))
                messages.Add(new TopicMessage(topic, latest with { Offset = (long)values[i] }, envelope.Payload, envelope.IsText));
        }
        // Complete when the stream still held every message after the position asked for.
        bool complete = since is not { } from
            || (from.Epoch == latest.Epoch && from.Offset <= latest.Offset && messages.Count == latest.Offset - from.Offset
                && (messages.Count == 0 || messages[0].Position.Offset == from.Offset + 1));
        return new TopicHistoryPage(messages, latest, complete);
    }

    /// <summary>Reads what the append script published: <c>OFFSET:EPOCH\n</c> then the envelope (which
    /// starts with its version byte, never a digit).</summary>
    public static bool TryReadPublished(ReadOnlyMemory<byte> bytes, out TopicPosition position, out ReadOnlyMemory<byte> envelope)
    {
        position = default;
        envelope = default;
        ReadOnlySpan<byte> span = bytes.Span;
        int newline = span.IndexOf((byte)'\n');
        int colon = newline < 0 ? -1 : span[..newline].IndexOf((byte)':');
        if (colon <= 0 || !long.TryParse(span[..colon], NumberStyles.None, CultureInfo.InvariantCulture, out long offset)) return false;
        position = new TopicPosition(offset, Encoding.UTF8.GetString(span[(colon + 1)..newline]));
        envelope = bytes[(newline + 1)..];
        return true;
    }

    private RedisKey Key(string topic, string part) => $"{prefix}:history:{{{topic}}}:{part}";
}
