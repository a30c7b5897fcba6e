using WsServer.Connections;

namespace WsServer.Extensions.Hosting.Tests.TestHandlers;

/// <summary>Replies with each message as it came; no state, no dependencies.</summary>
public sealed class EchoHandler : IWebSocketHandler
{
    public ValueTask<HandleResult> HandleAsync(WebSocketMessage message, WebSocketConnection connection, CancellationToken cancellationToken) =>
        new(HandleResult.Reply(message));
}
