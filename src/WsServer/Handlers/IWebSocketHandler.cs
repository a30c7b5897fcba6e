using WsServer.Connections;

namespace WsServer.Handlers;

/// <summary>
/// An application's side of a WebSocket connection, in the shape of the seed's Erlang handler
/// module: <see cref="InitAsync"/> returns the state, <see cref="HandleAsync"/> gets each message
/// and the state and returns one of the eight results. Calls for one connection never overlap,
/// so the state needs no lock; calls for different connections run in parallel. One handler
/// instance serves every connection of its route.
/// </summary>
/// <typeparam name="TState">The per-connection state.</typeparam>
public interface IWebSocketHandler<TState>
{
    /// <summary>Called once the upgrade is answered. Keep <paramref name="connection"/> to send at any
    /// time from anywhere; its <see cref="WebSocketConnection.Info"/> says who connected. A thrown
    /// exception closes the connection with 1011.</summary>
    ValueTask<TState> InitAsync(WebSocketConnection connection, CancellationToken cancellationToken);

    /// <summary>Called for each whole message (and for pings, pongs and closes when the route asks
    /// to see control frames). The message's payload is valid until the returned task completes.</summary>
    ValueTask<HandleResult<TState>> HandleAsync(WebSocketMessage message, TState state,
        CancellationToken cancellationToken);

    /// <summary>Called exactly once when the connection has ended, however it ended (the seed's
    /// <c>handle(connection_close, State)</c>). Not called when <see cref="InitAsync"/> threw.</summary>
    ValueTask ClosedAsync(ConnectionClosed closed, TState state) => ValueTask.CompletedTask;
}
