using System.Globalization;

namespace WsServer.PubSub;

/// <summary>
/// Where a message stands in its topic's history: an offset that only grows (1 for the first message) and
/// the epoch of that history, which changes when the history was lost (a restarted process's memory, a
/// flushed Redis). A client remembers the last position it saw and names it when it comes back. Text form
/// <c>OFFSET:EPOCH</c>.
/// </summary>
public readonly record struct TopicPosition(long Offset, string Epoch)
{
    /// <summary>The text form, <c>OFFSET:EPOCH</c>.</summary>
    public override string ToString() => $"{Offset.ToString(CultureInfo.InvariantCulture)}:{Epoch}";

    /// <summary>Reads the text form; false for anything else (a client's text, not to be trusted).</summary>
    public static bool TryParse(string? text, out TopicPosition position)
    {
        position = default;
        int colon = text?.IndexOf(':', StringComparison.Ordinal) ?? -1;
        if (colon <= 0 || colon == text!.Length - 1
            || !long.TryParse(text.AsSpan(0, colon), NumberStyles.None, CultureInfo.InvariantCulture, out long offset))
            return false;
        position = new TopicPosition(offset, text[(colon + 1)..]);
        return true;
    }
}

/// <summary>A message of a topic that keeps history, with its position.</summary>
public readonly record struct TopicMessage(string Topic, TopicPosition Position, ReadOnlyMemory<byte> Payload, bool IsText);

/// <summary>What a subscription that named a past position got: whether everything after that position
/// was replayed (<see cref="Recovered"/>; when false the application should reload its state, since the
/// history no longer reaches back that far or was lost), how many messages were replayed, and the topic's
/// latest position when the subscription went live.</summary>
public readonly record struct TopicRecovery(bool Recovered, int Replayed, TopicPosition Latest);

/// <summary>A read of a topic's history: the messages, oldest first; the topic's latest position; and
/// whether the messages are all there were after the position asked for.</summary>
public sealed record TopicHistoryPage(IReadOnlyList<TopicMessage> Messages, TopicPosition Latest, bool Complete);
