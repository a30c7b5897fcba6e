using WsServer.Connections;

namespace WsServer.Handlers;

/// <summary>One connection's handler with its state, behind a non-generic face so the connection loop
/// needs no type parameter. Holds the state between calls; calls never overlap.</summary>
internal abstract class HandlerSession
{
    public abstract ValueTask InitAsync(WebSocketConnection connection, CancellationToken cancellationToken);

    public abstract ValueTask<HandleOutcome> HandleAsync(WebSocketMessage message, CancellationToken cancellationToken);

    public abstract ValueTask ClosedAsync(ConnectionClosed closed);
}

/// <summary>A <see cref="HandleResult{TState}"/> with the state taken out.</summary>
internal readonly record struct HandleOutcome(HandleAction Action, ReplyPayload Payload);

internal sealed class HandlerSession<TState>(IWebSocketHandler<TState> handler) : HandlerSession
{
    private TState _state = default!;

    public override async ValueTask InitAsync(WebSocketConnection connection, CancellationToken cancellationToken) =>
        _state = await handler.InitAsync(connection, cancellationToken).ConfigureAwait(false);

    public override ValueTask<HandleOutcome> HandleAsync(WebSocketMessage message, CancellationToken cancellationToken)
    {
        ValueTask<HandleResult<TState>> pending = handler.HandleAsync(message, _state, cancellationToken);
        // Most handlers answer synchronously: take the result without an async state machine.
        return pending.IsCompletedSuccessfully ? new(Take(pending.Result)) : AwaitAsync(pending);
    }

    public override ValueTask ClosedAsync(ConnectionClosed closed) => handler.ClosedAsync(closed, _state);

    private async ValueTask<HandleOutcome> AwaitAsync(ValueTask<HandleResult<TState>> pending) =>
        Take(await pending.ConfigureAwait(false));

    private HandleOutcome Take(HandleResult<TState> result)
    {
        _state = result.State;
        return new HandleOutcome(result.Action, result.Payload);
    }
}
