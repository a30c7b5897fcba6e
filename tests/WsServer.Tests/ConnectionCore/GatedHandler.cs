using WsServer.Connections;

namespace WsServer.Tests.ConnectionCore;

/// <summary>Echoes, except "slow", which waits (ignoring its token, like a stuck handler) until the test
/// releases it, then replies "done". Sends a string posted to its mailbox to the peer (a marker, for
/// <see cref="TestSupport.NothingDue"/>). Records the token it was given and how the connection ended.</summary>
internal sealed class GatedHandler : IWebSocketHandler<int>
{
    public TaskCompletionSource Entered { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public TaskCompletionSource Release { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public TaskCompletionSource<WebSocketConnection> Opened { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public CancellationToken Token { get; private set; }

    public int ClosedCalls;

    public ConnectionClosed? Closed { get; private set; }

    public ValueTask<int> InitAsync(WebSocketConnection connection, CancellationToken cancellationToken)
    {
        Opened.TrySetResult(connection);
        return new(0);
    }

    public async ValueTask<HandleResult<int>> HandleAsync(WebSocketMessage message, int state, CancellationToken cancellationToken)
    {
        if (!message.IsText || message.GetText() != "slow") return HandleResult.Reply(state, message);
        Token = cancellationToken;
        Entered.TrySetResult();
        await Release.Task.ConfigureAwait(false);
        return HandleResult.Reply(state + 1, "done");
    }

    public ValueTask<HandleResult<int>> HandleInfoAsync(object? item, int state, CancellationToken cancellationToken) =>
        new(item is string text ? HandleResult.Reply(state, text) : HandleResult.NoReply(state));

    public ValueTask ClosedAsync(ConnectionClosed closed, int state, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref ClosedCalls);
        Closed = closed;
        return ValueTask.CompletedTask;
    }
}
