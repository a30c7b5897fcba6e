
namespace WsServer.PubSub;

/// <summary>How much of a topic's past to keep, and how its messages are framed for subscribers.</summary>
public sealed record TopicHistoryOptions
{
    /// <summary>The most messages kept; 100 by default.</summary>
    public int MaxMessages { get; init; } = 100;

    /// <summary>How long a message is kept; no limit but <see cref="MaxMessages"/> when null.</summary>
    public TimeSpan? MaxAge { get; init; }

    /// <summary>The frame each subscriber gets for a message, knowing its position (so a client can
    /// remember it): made once per message, live and replayed alike. The payload as published when null.</summary>
    public Func<TopicMessage, PreparedMessage>? Format { get; init; }

    internal PreparedMessage Frame(in TopicMessage message) =>
        Format?.Invoke(message)
        ?? (message.IsText ? PreparedMessage.Text(message.Payload.Span) : PreparedMessage.Binary(message.Payload.Span));

    internal void Validate(string pattern)
    {
        if (MaxMessages < 1) throw new ArgumentException($"History of '{pattern}': MaxMessages must be at least 1", nameof(MaxMessages));
        if (MaxAge is { } age && age <= TimeSpan.Zero)
            throw new ArgumentException($"History of '{pattern}': MaxAge must be positive", nameof(MaxAge));
    }
}

/// <summary>Which topics keep history: a topic by name (<c>"news"</c>) or every topic with a prefix
/// (<c>"chat:*"</c>); the longest pattern that matches a topic wins. Topics no pattern matches keep none.</summary>
public sealed class TopicHistoryTable
{
    private readonly Dictionary<string, TopicHistoryOptions> _exact = new(StringComparer.Ordinal);
    private readonly List<(string Prefix, TopicHistoryOptions Options)> _prefixes = [];

    /// <summary>Keeps history for the topics <paramref name="pattern"/> names.</summary>
    public TopicHistoryTable Keep(string pattern, TopicHistoryOptions options)
    {
        ArgumentException.ThrowIfNullOrEmpty(pattern);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate(pattern);
        if (pattern.EndsWith('*'))
        {
            _prefixes.RemoveAll(p => p.Prefix == pattern[..^1]);
            _prefixes.Add((pattern[..^1], options));
            _prefixes.Sort((a, b) => b.Prefix.Length.CompareTo(a.Prefix.Length));
        }
        else
        {
            _exact[pattern] = options;
        }
        return this;
    }

    /// <summary>Whether any topic keeps history.</summary>
    public bool IsEmpty => _exact.Count == 0 && _prefixes.Count == 0;

    /// <summary>The options of <paramref name="topic"/>'s history; null when it keeps none.</summary>
    public TopicHistoryOptions? For(string topic)
    {
        if (IsEmpty) return null;
        if (_exact.TryGetValue(topic, out TopicHistoryOptions? options)) return options;
        foreach ((string prefix, TopicHistoryOptions prefixed) in _prefixes)
        {
            if (topic.StartsWith(prefix, StringComparison.Ordinal)) return prefixed;
        }
        return null;
    }
}
