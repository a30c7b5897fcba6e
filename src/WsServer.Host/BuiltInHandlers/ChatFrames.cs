using System.Buffers;
using System.Text.Json;
using WsServer.Connections;
using WsServer.PubSub;

namespace WsServer.Host.BuiltInHandlers;

/// <summary>
/// What the chat sends its members, one JSON object per message:
/// <code>
/// {"type":"message","pos":"OFFSET:EPOCH","name":"ada","text":"hi"}   a message, with its position (none without history)
/// {"type":"members","names":["ada","bob"]}                           who is in the room, on joining
/// {"type":"join","name":"bob"}  {"type":"leave","name":"bob"}        presence changes
/// {"type":"reset"}                                                   the past asked for is lost: start afresh
/// </code>
/// </summary>
internal static class ChatFrames
{
    public static readonly PreparedMessage Reset = PreparedMessage.Text("""{"type":"reset"}""");

    /// <summary>What a member said, as published (and kept): a message without its position, which a room
    /// without history sends as it is.</summary>
    public static PreparedMessage Said(string name, ReadOnlySpan<byte> utf8Text)
    {
        using var frame = new Frame();
        frame.Json.WriteString("type", "message");
        frame.Json.WriteString("name", name);
        frame.Json.WriteString("text", utf8Text);
        return frame.Done();
    }

    /// <summary>A kept message as its members get it, with its position.</summary>
    public static PreparedMessage Message(TopicMessage message)
    {
        using JsonDocument said = JsonDocument.Parse(message.Payload);
        using var frame = new Frame();
        frame.Json.WriteString("type", "message");
        frame.Json.WriteString("pos", message.Position.ToString());
        foreach (JsonProperty property in said.RootElement.EnumerateObject())
        {
            if (property.Name != "type") property.WriteTo(frame.Json);
        }
        return frame.Done();
    }

    public static PreparedMessage Members(IEnumerable<string> names)
    {
        using var frame = new Frame();
        frame.Json.WriteString("type", "members");
        frame.Json.WriteStartArray("names");
        foreach (string name in names) frame.Json.WriteStringValue(name);
        frame.Json.WriteEndArray();
        return frame.Done();
    }

    public static PreparedMessage Presence(PresenceChange change)
    {
        using var frame = new Frame();
        frame.Json.WriteString("type", change.Joined ? "join" : "leave");
        frame.Json.WriteString("name", change.Member.Info);
        return frame.Done();
    }

    // One JSON object being written: its properties, then Done for the message.
    private sealed class Frame : IDisposable
    {
        private readonly ArrayBufferWriter<byte> _buffer = new(128);

        public Frame()
        {
            Json = new Utf8JsonWriter(_buffer);
            Json.WriteStartObject();
        }

        public Utf8JsonWriter Json { get; }

        public PreparedMessage Done()
        {
            Json.WriteEndObject();
            Json.Flush();
            return PreparedMessage.Text(_buffer.WrittenSpan);
        }

        public void Dispose() => Json.Dispose();
    }
}
