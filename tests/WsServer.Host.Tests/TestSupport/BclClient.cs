using System.Net.WebSockets;

namespace WsServer.Host.Tests.TestSupport;

/// <summary>A <see cref="ClientWebSocket"/> with bounded waits, for talking to the program.</summary>
internal static class BclClient
{
    public static async Task<ClientWebSocket> ConnectAsync(Uri uri)
    {
        var socket = new ClientWebSocket();
        try
        {
            await socket.ConnectAsync(uri, CancellationToken.None).WaitAsync(HostProcess.Timeout);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    public static Task SendAsync(this ClientWebSocket socket, byte[] data, WebSocketMessageType type) =>
        socket.SendAsync(data.AsMemory(), type, endOfMessage: true, CancellationToken.None).AsTask().WaitAsync(HostProcess.Timeout);

    /// <summary>Receives one whole message (or the close).</summary>
    public static async Task<(WebSocketMessageType Type, byte[] Data)> ReceiveMessageAsync(this ClientWebSocket socket)
    {
        using var data = new MemoryStream();
        var buffer = new byte[4096];
        while (true)
        {
            ValueWebSocketReceiveResult result = await socket.ReceiveAsync(buffer.AsMemory(), CancellationToken.None)
                .AsTask().WaitAsync(HostProcess.Timeout);
            data.Write(buffer, 0, result.Count);
            if (result.EndOfMessage || result.MessageType == WebSocketMessageType.Close) return (result.MessageType, data.ToArray());
        }
    }

    /// <summary>Completes the closing handshake the client started or answered.</summary>
    public static Task CloseAsync(this ClientWebSocket socket, WebSocketCloseStatus status) =>
        socket.CloseAsync(status, null, CancellationToken.None).WaitAsync(HostProcess.Timeout);
}
