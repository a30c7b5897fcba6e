using System.Text;
using WsServer.Connections;
using WsServer.Protocol.Closing;

namespace WsServer.Host.Tests.TestHandlers;

/// <summary>Answers each text message with its UTF-8 bytes as a binary message, and "header" with the
/// value of the request's X-Test header, and "close" with a close of 4001 "bye".</summary>
public sealed class BytesHandler : IWebSocketHandler
{
    public ValueTask<HandleResult> HandleAsync(WebSocketMessage message, WebSocketConnection connection, CancellationToken cancellationToken) =>
        new(message.GetText() switch
        {
            "header" => HandleResult.Reply($"X-Test={connection.Info.Headers["X-Test"]}"),
            "close" => HandleResult.Close((CloseCode)4001, "bye"),
            string text => HandleResult.Reply(Encoding.UTF8.GetBytes(text)),
        });
}
