using System.Net.WebSockets;
using System.Text.Json;

namespace WsServer.Host.Tests.TestSupport;

/// <summary>Reads the built-in chat's JSON frames as a member's client would.</summary>
internal static class ChatClient
{
    /// <summary>The next frame, parsed.</summary>
    public static async Task<JsonElement> ReceiveFrameAsync(this ClientWebSocket client)
    {
        (_, byte[] data) = await client.ReceiveMessageAsync();
        return JsonDocument.Parse(data).RootElement.Clone();
    }

    /// <summary>The next message said in the room, as <c>NAME: TEXT</c>, skipping members, joins and leaves.</summary>
    public static async Task<string> ReceiveLineAsync(this ClientWebSocket client) => Line(await client.ReceiveMessageFrameAsync());

    /// <summary>The next frame of type <c>message</c>.</summary>
    public static async Task<JsonElement> ReceiveMessageFrameAsync(this ClientWebSocket client)
    {
        for (int skipped = 0; ; skipped++)
        {
            JsonElement frame = await client.ReceiveFrameAsync();
            if (frame.GetProperty("type").GetString() == "message") return frame;
            if (skipped > 100) throw new InvalidOperationException("no chat message in 100 frames");
        }
    }

    /// <summary>A message frame as <c>NAME: TEXT</c>.</summary>
    public static string Line(JsonElement message) => $"{message.GetProperty("name").GetString()}: {message.GetProperty("text").GetString()}";
}
