using WsServer.Connections;

namespace GenericHost;

/// <summary>Replies with each message as it came.</summary>
public sealed class EchoHandler : IWebSocketHandler
{
    /// <summary>Echoes <paramref name="message"/>.</summary>
    public ValueTask<HandleResult> HandleAsync(WebSocketMessage message, WebSocketConnection connection, CancellationToken cancellationToken) =>
        new(HandleResult.Reply(message));
}
