namespace WsServer.Routing;

/// <summary>
/// A handler class may also implement this to see each upgrade request before the connection is
/// established (the seed's "reject a connection before it is established"). It runs after the route's
/// own <see cref="Routing.WebSocketRouteOptions.OnUpgrade"/> callback, when that accepted; a rejection here sends
/// the HTTP response and closes the socket without creating any handler state. A thrown exception
/// gives the client 500 and is logged.
/// </summary>
public interface IUpgradeFilter
{
    /// <summary>Decides whether to accept the upgrade described by <paramref name="context"/>.</summary>
    ValueTask<UpgradeDecision> OnUpgradeAsync(UpgradeContext context);
}
