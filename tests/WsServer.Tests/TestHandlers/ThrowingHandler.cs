using WsServer.Connections;

namespace WsServer.Tests.TestHandlers;

/// <summary>Echoes, but throws on "throw" and returns a faulted task on "fault".</summary>
public sealed class ThrowingHandler : IWebSocketHandler<int>
{
    public ValueTask<int> InitAsync(WebSocketConnection connection, CancellationToken cancellationToken) => new(0);

    public ValueTask<HandleResult<int>> HandleAsync(WebSocketMessage message, int state, CancellationToken cancellationToken) =>
        message.GetText() switch
        {
            "throw" => throw new InvalidOperationException("handler bug (thrown)"),
            "fault" => FaultAsync(),
            _ => new(HandleResult.Reply(state, message)),
        };

    private static async ValueTask<HandleResult<int>> FaultAsync()
    {
        await Task.Yield();
        throw new InvalidOperationException("handler bug (faulted task)");
    }
}
