using System.Collections.Concurrent;
using WsServer.Connections;

namespace WsServer.Tests.TestHandlers;

/// <summary>Echoes, and records every connection and every closed callback, so tests can see how
/// connections ended and that each ended exactly once. A string posted to a connection's mailbox is
/// sent to its peer, in the connection's turn (a marker, for <see cref="TestSupport.NothingDue"/>).</summary>
public sealed class RecordingHandler : IWebSocketHandler<WebSocketConnection>
{
    public ConcurrentQueue<WebSocketConnection> Opened { get; } = new();

    public ConcurrentQueue<(long Id, ConnectionClosed Closed)> Closed { get; } = new();

    public TaskCompletionSource<WebSocketConnection> FirstOpened { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public TaskCompletionSource<ConnectionClosed> FirstClosed { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>What each connection's mailbox delivered, in order.</summary>
    public ConcurrentQueue<(long Id, object? Item)> Mail { get; } = new();

    public ValueTask<WebSocketConnection> InitAsync(WebSocketConnection connection, CancellationToken cancellationToken)
    {
        Opened.Enqueue(connection);
        FirstOpened.TrySetResult(connection);
        return new(connection);
    }

    public ValueTask<HandleResult<WebSocketConnection>> HandleAsync(WebSocketMessage message, WebSocketConnection state,
        CancellationToken cancellationToken) => new(HandleResult.Reply(state, message));

    public ValueTask<HandleResult<WebSocketConnection>> HandleInfoAsync(object? item, WebSocketConnection state,
        CancellationToken cancellationToken)
    {
        Mail.Enqueue((state.Id, item));
        return new(item is string text ? HandleResult.Reply(state, text) : HandleResult.NoReply(state));
    }

    public ValueTask ClosedAsync(ConnectionClosed closed, WebSocketConnection state, CancellationToken cancellationToken)
    {
        Closed.Enqueue((state.Id, closed));
        FirstClosed.TrySetResult(closed);
        return ValueTask.CompletedTask;
    }
}
