
namespace WsServer.Connections;

/// <summary>
/// An application's side of a WebSocket connection, in the shape of the seed's Erlang handler
/// module: <see cref="InitAsync"/> returns the state, <see cref="HandleAsync"/> gets each message
/// and the state and returns one of the seed's results with the next state. Like an Erlang process,
/// a connection does one thing at a time: calls for one connection (init, each message, each item
/// posted to its mailbox, closed) never overlap, so the state needs no lock; calls for different
/// connections run in parallel. One handler instance serves every connection of its route.
/// </summary>
/// <typeparam name="TState">The per-connection state.</typeparam>
public interface IWebSocketHandler<TState>
{
    /// <summary>Called once the upgrade is answered. Keep <paramref name="connection"/> to send at any
    /// time from anywhere; its <see cref="WebSocketConnection.Info"/> says who connected. A thrown
    /// exception closes the connection with 1011, and <see cref="ClosedAsync"/> is not called.</summary>
    ValueTask<TState> InitAsync(WebSocketConnection connection, CancellationToken cancellationToken);

    /// <summary>Called for each whole message (and for pings, pongs and closes when the route asks
    /// to see control frames). The message's payload is valid until the returned task completes.
    /// A thrown exception closes the connection with 1011.</summary>
    ValueTask<HandleResult<TState>> HandleAsync(WebSocketMessage message, TState state, CancellationToken cancellationToken);

    /// <summary>Called for each item posted with <see cref="WebSocketConnection.Post"/> (the Erlang
    /// <c>handle_info</c>), in order with the messages and never during another call. Ignores the
    /// item unless overridden.</summary>
    ValueTask<HandleResult<TState>> HandleInfoAsync(object? item, TState state, CancellationToken cancellationToken) =>
        new(HandleResult.NoReply(state));

    /// <summary>Called exactly once when the connection has ended, however it ended (the seed's
    /// <c>handle(connection_close, State)</c>), for every connection whose <see cref="InitAsync"/>
    /// returned. <paramref name="cancellationToken"/> is cancelled when the server gives up waiting.</summary>
    ValueTask ClosedAsync(ConnectionClosed closed, TState state, CancellationToken cancellationToken) => ValueTask.CompletedTask;
}

/// <summary>
/// A handler without per-connection state: each call gets the connection instead. The same
/// guarantees as <see cref="IWebSocketHandler{TState}"/>: calls for one connection never overlap.
/// A route can also be a delegate (<see cref="Routing.RouteTable.Map(string, Func{WebSocketMessage, WebSocketConnection, HandleResult}, Routing.WebSocketRouteOptions?)"/>).
/// </summary>
public interface IWebSocketHandler
{
    /// <summary>Called once the upgrade is answered. A thrown exception closes the connection with 1011.</summary>
    ValueTask InitAsync(WebSocketConnection connection, CancellationToken cancellationToken) => ValueTask.CompletedTask;

    /// <summary>Called for each whole message; the payload is valid until the returned task completes.</summary>
    ValueTask<HandleResult> HandleAsync(WebSocketMessage message, WebSocketConnection connection, CancellationToken cancellationToken);

    /// <summary>Called for each item posted with <see cref="WebSocketConnection.Post"/>.</summary>
    ValueTask<HandleResult> HandleInfoAsync(object? item, WebSocketConnection connection, CancellationToken cancellationToken) =>
        new(HandleResult.NoReply());

    /// <summary>Called exactly once when the connection has ended, if <see cref="InitAsync"/> returned.</summary>
    ValueTask ClosedAsync(ConnectionClosed closed, WebSocketConnection connection, CancellationToken cancellationToken) =>
        ValueTask.CompletedTask;
}
