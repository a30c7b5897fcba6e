using System.Net.WebSockets;
using System.Text;
using WsServer.Tests.TestSupport;

namespace WsServer.AspNetCore.Tests.TestSupport;

/// <summary>Whole messages over .NET's <see cref="WebSocket"/>, bounded.</summary>
public static class Messages
{
    public static Task SendTextAsync(this WebSocket socket, string text) =>
        socket.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, true, Timeouts.Token());

    public static async Task<(WebSocketMessageType Type, byte[] Payload)> ReceiveMessageAsync(this WebSocket socket)
    {
        using var message = new MemoryStream();
        var buffer = new byte[16 * 1024];
        WebSocketReceiveResult result;
        do
        {
            result = await socket.ReceiveAsync(buffer, Timeouts.Token());
            message.Write(buffer, 0, result.Count);
        }
        while (!result.EndOfMessage);
        return (result.MessageType, message.ToArray());
    }

    public static async Task<string> ReceiveTextAsync(this WebSocket socket)
    {
        (WebSocketMessageType type, byte[] payload) = await socket.ReceiveMessageAsync();
        Assert.Equal(WebSocketMessageType.Text, type);
        return Encoding.UTF8.GetString(payload);
    }
}
