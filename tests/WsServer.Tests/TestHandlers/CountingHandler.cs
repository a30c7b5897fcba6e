using WsServer.Connections;

namespace WsServer.Tests.TestHandlers;

/// <summary>Echoes and counts InitAsync calls, so a test can see that a refused upgrade created no state.</summary>
public sealed class CountingHandler : IWebSocketHandler<int>
{
    private int _inits;

    public int Inits => Volatile.Read(ref _inits);

    public ValueTask<int> InitAsync(WebSocketConnection connection, CancellationToken cancellationToken) =>
        new(Interlocked.Increment(ref _inits));

    public ValueTask<HandleResult<int>> HandleAsync(WebSocketMessage message, int state, CancellationToken cancellationToken) =>
        new(HandleResult.Reply(state, message));
}
