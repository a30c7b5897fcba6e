using WsServer.Connections;
using WsServer.Handlers;

namespace WsServer.Host.BuiltInHandlers;

/// <summary>The seed's example: sends every message back as it came, text as text and binary as binary.</summary>
internal sealed class EchoHandler : IWebSocketHandler<NoState>
{
    public ValueTask<NoState> InitAsync(WebSocketConnection connection, CancellationToken cancellationToken) =>
        ValueTask.FromResult(default(NoState));

    public ValueTask<HandleResult<NoState>> HandleAsync(WebSocketMessage message, NoState state,
        CancellationToken cancellationToken) =>
        ValueTask.FromResult(HandleResult.Reply(message, state));
}
