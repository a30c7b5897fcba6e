using WsServer.Connections;

namespace WsServer.Tests.TestHandlers;

/// <summary>Replies with each message as it came.</summary>
public sealed class EchoHandler : IWebSocketHandler<int>
{
    public ValueTask<int> InitAsync(WebSocketConnection connection, CancellationToken cancellationToken) => new(0);

    public ValueTask<HandleResult<int>> HandleAsync(WebSocketMessage message, int state, CancellationToken cancellationToken) =>
        new(HandleResult.Reply(state + 1, message));
}
