using System.Text;
using WsServer.Connections;
using WsServer.Handlers;

namespace WsServer.Host.Tests.TestHandlers;

/// <summary>Answers each text message with its UTF-8 bytes as a binary message, and "header" with the
/// value of the request's X-Test header.</summary>
public sealed class BytesHandler : IWebSocketHandler
{
    public ValueTask<HandleResult> HandleAsync(WebSocketMessage message, WebSocketConnection connection, CancellationToken cancellationToken) =>
        new(message.GetText() == "header"
            ? HandleResult.Reply($"X-Test={connection.Info.Headers["X-Test"]}")
            : HandleResult.Reply(Encoding.UTF8.GetBytes(message.GetText())));
}
