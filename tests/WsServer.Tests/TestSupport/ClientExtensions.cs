using System.Net.WebSockets;
using System.Text;

namespace WsServer.Tests.TestSupport;

/// <summary>Whole-message helpers over <see cref="ClientWebSocket"/>.</summary>
public static class ClientExtensions
{
    public static Task SendTextAsync(this WebSocket socket, string text) =>
        socket.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, true, Timeouts.Token());

    public static Task SendBinaryAsync(this WebSocket socket, byte[] data) =>
        socket.SendAsync(data, WebSocketMessageType.Binary, true, Timeouts.Token());

    /// <summary>Receives one whole message (or the close).</summary>
    public static async Task<(WebSocketMessageType Type, byte[] Data)> ReceiveMessageAsync(this WebSocket socket)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[64 * 1024];
        while (true)
        {
            WebSocketReceiveResult result = await socket.ReceiveAsync(chunk, Timeouts.Token());
            buffer.Write(chunk, 0, result.Count);
            if (result.EndOfMessage || result.MessageType == WebSocketMessageType.Close)
                return (result.MessageType, buffer.ToArray());
        }
    }

    public static async Task<string> ReceiveTextAsync(this WebSocket socket)
    {
        (WebSocketMessageType type, byte[] data) = await socket.ReceiveMessageAsync();
        Assert.Equal(WebSocketMessageType.Text, type);
        return Encoding.UTF8.GetString(data);
    }

    /// <summary>Reads until the server's close frame arrives; returns its status.</summary>
    public static async Task<(WebSocketCloseStatus? Status, string? Description)> ReceiveCloseAsync(this WebSocket socket)
    {
        var chunk = new byte[64 * 1024];
        for (int frames = 0; frames < 10_000; frames++)
        {
            WebSocketReceiveResult result = await socket.ReceiveAsync(chunk, Timeouts.Token());
            if (result.MessageType == WebSocketMessageType.Close) return (result.CloseStatus, result.CloseStatusDescription);
        }
        throw new InvalidOperationException("No close frame within 10000 frames.");
    }
}
