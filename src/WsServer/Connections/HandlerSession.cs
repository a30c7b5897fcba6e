
namespace WsServer.Connections;

/// <summary>One connection's handler with its state, behind a non-generic face so the connection
/// needs no type parameter. Holds the state between calls; the connection's turn keeps calls apart.</summary>
internal abstract class HandlerSession
{
    public abstract ValueTask InitAsync(WebSocketConnection connection, CancellationToken cancellationToken);

    public abstract ValueTask<HandleResult> HandleAsync(WebSocketMessage message, CancellationToken cancellationToken);

    public abstract ValueTask<HandleResult> HandleInfoAsync(object? item, CancellationToken cancellationToken);

    public abstract ValueTask ClosedAsync(ConnectionClosed closed, CancellationToken cancellationToken);
}

internal sealed class StatefulHandlerSession<TState>(IWebSocketHandler<TState> handler) : HandlerSession
{
    private TState _state = default!;

    public override async ValueTask InitAsync(WebSocketConnection connection, CancellationToken cancellationToken) =>
        _state = await handler.InitAsync(connection, cancellationToken).ConfigureAwait(false);

    public override ValueTask<HandleResult> HandleAsync(WebSocketMessage message, CancellationToken cancellationToken) =>
        Take(handler.HandleAsync(message, _state, cancellationToken));

    public override ValueTask<HandleResult> HandleInfoAsync(object? item, CancellationToken cancellationToken) =>
        Take(handler.HandleInfoAsync(item, _state, cancellationToken));

    public override ValueTask ClosedAsync(ConnectionClosed closed, CancellationToken cancellationToken) =>
        handler.ClosedAsync(closed, _state, cancellationToken);

    // Most handlers answer synchronously: take the result without an async state machine.
    private ValueTask<HandleResult> Take(ValueTask<HandleResult<TState>> pending) =>
        pending.IsCompletedSuccessfully ? new(Keep(pending.Result)) : AwaitAsync(pending);

    private async ValueTask<HandleResult> AwaitAsync(ValueTask<HandleResult<TState>> pending) =>
        Keep(await pending.ConfigureAwait(false));

    private HandleResult Keep(HandleResult<TState> result)
    {
        _state = result.State;
        return result.Result;
    }
}

internal sealed class StatelessHandlerSession(IWebSocketHandler handler) : HandlerSession
{
    private WebSocketConnection _connection = null!;

    public override ValueTask InitAsync(WebSocketConnection connection, CancellationToken cancellationToken)
    {
        _connection = connection;
        return handler.InitAsync(connection, cancellationToken);
    }

    public override ValueTask<HandleResult> HandleAsync(WebSocketMessage message, CancellationToken cancellationToken) =>
        handler.HandleAsync(message, _connection, cancellationToken);

    public override ValueTask<HandleResult> HandleInfoAsync(object? item, CancellationToken cancellationToken) =>
        handler.HandleInfoAsync(item, _connection, cancellationToken);

    public override ValueTask ClosedAsync(ConnectionClosed closed, CancellationToken cancellationToken) =>
        handler.ClosedAsync(closed, _connection, cancellationToken);
}

/// <summary>A delegate route's handler: one function of the message and the connection.</summary>
internal sealed class DelegateHandler(Func<WebSocketMessage, WebSocketConnection, CancellationToken, ValueTask<HandleResult>> handle)
    : IWebSocketHandler
{
    public ValueTask<HandleResult> HandleAsync(WebSocketMessage message, WebSocketConnection connection, CancellationToken cancellationToken) =>
        handle(message, connection, cancellationToken);
}
