using WsServer.Connections;
using WsServer.Diagnostics;
using WsServer.Protocol.Handshake;
using WsServer.Routing;
using WsServer.Transport;

namespace WsServer.Hosting;

/// <content>Connections another HTTP server accepts and upgrades (WsServer.AspNetCore's endpoints on Kestrel):
/// WsServer answers the upgrade and serves the stream the host hands over.</content>
public sealed partial class WebSocketServer
{
    /// <summary>Answers an upgrade request another HTTP server received and routed to <paramref name="route"/>
    /// (ASP.NET Core's, in WsServer.AspNetCore): WsServer's own checks (RFC 6455 §4.2.1, or RFC 8441 for an
    /// HTTP/2 extended CONNECT), the server's limits, the route's origins, subprotocols and callbacks,
    /// permessage-deflate. Returns the refusal to send, or the accepted connection, registered, whose answer
    /// the host sends before handing over its stream to <see cref="HostedUpgrade.RunAsync"/>.</summary>
    /// <param name="request">The request, as <see cref="UpgradeRequest"/> (HTTP/2's <c>:authority</c> as <c>Host</c>).</param>
    /// <param name="route">The route serving it: its handler and options (<see cref="WebSocketRoute.Create{TState}"/>).</param>
    /// <param name="peer">Who sent it, and over what.</param>
    /// <param name="hostContext">The host's own view of the request (ASP.NET Core's <c>HttpContext</c>), for the
    /// route's callbacks (<see cref="Routing.UpgradeContext.HostContext"/>) and the handler
    /// (<see cref="ConnectionInfo.HostContext"/>).</param>
    /// <exception cref="InvalidOperationException">The server was not started.</exception>
    public async ValueTask<HostedUpgrade> AcceptUpgradeAsync(UpgradeRequest request, WebSocketRoute route, HostedPeer peer, object? hostContext = null)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(route);
        ArgumentNullException.ThrowIfNull(peer);
        if (Volatile.Read(ref _state) == 0) throw new InvalidOperationException("Start the server first (StartWithoutListeners).");
        var transport = new HostedTransport(peer.RemoteEndPoint, peer.LocalEndPoint, _context.Time.GetUtcNow(),
            (peer.IsTls, peer.TlsProtocol, peer.TlsServerName));
        var admission = new UpgradeAdmission(_context, transport, hostContext);
        admission.BeginSpan(request, route);
        (NegotiatedUpgrade? upgrade, HandshakeRejection? refusal) = await admission.NegotiateAsync(request, route).ConfigureAwait(false);
        if (upgrade is null) return Refuse(request, peer, refusal!, admission);
        IReadOnlyList<KeyValuePair<string, string>> fields;
        try
        {
            fields = ServerHandshake.AcceptFields(request, upgrade.Accept);
        }
        catch (ArgumentException ex)
        {
            Log.UpgradeCallbackFailed(_context.Logger, peer.RemoteEndPoint, request.Path, ex);
            return Refuse(request, peer, UpgradeAdmission.InternalError, admission);
        }
        (EstablishedConnection? established, refusal) = admission.TryEstablish(request, route, upgrade, queueAnswer: null);
        if (established is null) return Refuse(request, peer, refusal!, admission);
        _running.Started();
        return new HostedUpgrade(fields, established.Connection, transport, hosted => ServeHostedAsync(transport, established, hosted));
    }

    private HostedUpgrade Refuse(UpgradeRequest request, HostedPeer peer, HandshakeRejection rejection, UpgradeAdmission admission)
    {
        admission.EndSpan(rejection);
        Log.Refused(_context.Logger, peer.RemoteEndPoint, request.Target, rejection);
        _context.Metrics.UpgradeRefused(rejection.StatusCode);
        return new HostedUpgrade(rejection);
    }

    private Task ServeHostedAsync(HostedTransport transport, EstablishedConnection established, HostedStream hosted)
    {
        transport.Attach(hosted);
        var finished = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _ = ConnectionRunner.RunEstablishedAsync(_context, transport, established, () =>
        {
            _running.Finished();
            finished.TrySetResult();
        });
        return finished.Task;
    }
}
