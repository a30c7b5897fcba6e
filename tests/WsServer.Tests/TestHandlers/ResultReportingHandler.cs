using WsServer.Connections;

namespace WsServer.Tests.TestHandlers;

/// <summary>Echoes every message, except a text starting with <c>RESULT:</c>, which a browser page sends
/// to report its verdict; records the extensions each connection negotiated.</summary>
public sealed class ResultReportingHandler : IWebSocketHandler<int>
{
    public TaskCompletionSource<string> Result { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public TaskCompletionSource<string?> Extensions { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public ValueTask<int> InitAsync(WebSocketConnection connection, CancellationToken cancellationToken)
    {
        Extensions.TrySetResult(connection.Info.Extensions);
        return new(0);
    }

    public ValueTask<HandleResult<int>> HandleAsync(WebSocketMessage message, int state, CancellationToken cancellationToken)
    {
        if (message.IsText && message.Payload.Length < 1000 && message.GetText() is { } text && text.StartsWith("RESULT:", StringComparison.Ordinal))
        {
            Result.TrySetResult(text["RESULT:".Length..]);
            return new(HandleResult.NoReply(state));
        }
        return new(HandleResult.Reply(state + 1, message));
    }
}
