using WsServer.Connections;

namespace WsServer.Host.BuiltInHandlers;

/// <summary>The seed's example: sends every message back as it came, text as text and binary as binary.</summary>
internal sealed class EchoHandler : IWebSocketHandler
{
    public ValueTask<HandleResult> HandleAsync(WebSocketMessage message, WebSocketConnection connection,
        CancellationToken cancellationToken) => new(HandleResult.Reply(message));
}
