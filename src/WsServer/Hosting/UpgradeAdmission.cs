using System.Diagnostics;
using System.Security.Authentication;
using WsServer.Connections;
using WsServer.Diagnostics;
using WsServer.Protocol.Compression;
using WsServer.Protocol.Handshake;
using WsServer.Protocol.Session;
using WsServer.Routing;
using WsServer.Transport;

namespace WsServer.Hosting;

/// <summary>A routed request that passed every check: the answer to send, and what the connection is to be
/// built with.</summary>
internal sealed record NegotiatedUpgrade(HandshakeAccept Accept, IReadOnlyDictionary<string, object?> Items, ProtocolOptions Protocol,
    DateTimeOffset? ExpiresAt);

/// <summary>
/// From a routed request to a registered connection, the same for the server's own upgrades
/// (<see cref="UpgradePhase"/>) and for those another HTTP server answers (<see cref="HostedUpgrade"/>):
/// validation, the limits, the route's checks and callbacks, permessage-deflate (<see cref="NegotiateAsync"/>);
/// then a place and an id, the connection built and registered (<see cref="TryEstablish"/>), with its
/// answer queued first when the server writes it.
/// </summary>
internal sealed class UpgradeAdmission(ServerContext server, ConnectionTransport transport, object? hostContext = null)
{
    // How every session of the server reads: a message in one frame in place, in the connection's own input, and one up
    // to the socket reader's smallest array that arrives in parts left there until whole (every input here, that
    // reader or a stream's pipe, keeps what is left unread and grows for it).
    private static readonly ProtocolOptions s_reading = new() { ReadMessagesInPlace = true, ReadWholeFramesUpTo = SegmentPool.SmallestSize };
    private static ProtocolOptions s_plainOptions = s_reading;
    public static readonly HandshakeRejection InternalError = new(500, "internal server error");
    public static readonly HandshakeRejection Forbidden = new(403, "forbidden");
    public static readonly HandshakeRejection ShuttingDown =
        new(503, "server shutting down") { Headers = [new("Retry-After", "5")] };
    // Over a connection limit: a client may try again once some connection has closed. Refused before the
    // 101, so the client sees an HTTP status it can act on, not a WebSocket it must then lose.
    private static readonly HandshakeRejection ServerFull =
        new(503, "too many connections") { Headers = [new("Retry-After", "5")] };
    private static readonly HandshakeRejection AddressFull =
        new(503, "too many connections from this address") { Headers = [new("Retry-After", "5")] };
    private static readonly HandshakeRejection TooFast =
        new(429, "too many new connections from this address") { Headers = [new("Retry-After", "1")] };

    /// <summary>The request's span (<see cref="ServerTracing"/>), once <see cref="BeginSpan"/> made one.</summary>
    public Activity? Span { get; private set; }

    /// <summary>Starts the request's span, continuing the trace of its <c>traceparent</c>; none when nobody listens.</summary>
    public void BeginSpan(UpgradeRequest request, WebSocketRoute? route) =>
        Span = ServerTracing.StartUpgrade(request.Method, request.Path, route?.Pattern, request.Headers["traceparent"],
            request.Headers["tracestate"], transport.Remote, transport.Local);

    /// <summary>Ends the request's span with a refusal.</summary>
    public void EndSpan(HandshakeRejection refusal) => ServerTracing.EndUpgrade(Span, refusal.StatusCode, refusal.Reason);

    /// <summary>The checks and choices before any place is taken: a refusal, or the answer and the options.</summary>
    public async ValueTask<(NegotiatedUpgrade? Upgrade, HandshakeRejection? Refusal)> NegotiateAsync(UpgradeRequest request, WebSocketRoute? route)
    {
        // Route first: a plain request for an unknown path is 404, for a WebSocket route 426.
        HandshakeRejection? refusal = route is null ? HandshakeRejection.NotFound() : ServerHandshake.Validate(request);
        // The limits next, before the route's callbacks spend anything on a connection that cannot be kept.
        refusal ??= Refusal(server.CanAdmit(transport.Remote.Address));
        // Counted only for a request that would otherwise be taken, before any callback spends anything on it.
        if (refusal is null && !server.TryTakeConnectionRate(transport.Remote.Address)) refusal = TooFast;
        if (refusal is not null) return (null, refusal);

        UpgradeOutcome outcome = await RunChecksAsync(request, route!).ConfigureAwait(false);
        if (outcome.Accept is not { } negotiated) return (null, outcome.Rejection ?? InternalError);
        PerMessageDeflateOptions compression = route!.Options.Compression ?? server.Options.Compression;
        // Without the codec's zlib (logged once, at the start) every offer is declined: the connection
        // goes on uncompressed rather than failing at its first compressed message.
        if (!server.Options.CompressionSupported) compression = PerMessageDeflateOptions.Disabled;
        DeflateAgreement? deflate = negotiated.Extensions is null ? PerMessageDeflateNegotiator.Negotiate(request.Extensions, compression) : null;
        HandshakeAccept accept = deflate is { } agreed ? negotiated with { Extensions = agreed.ResponseHeader } : negotiated;
        long maxMessageSize = route.Options.MaxMessageSize ?? server.Options.MaxMessageSize;
        bool stream = route.Options.StreamMessages;
        int fragments = server.Options.MaxFragmentsPerMessage;
        ProtocolOptions protocol = deflate is { } agreement
            ? s_reading with
            {
                MaxMessageSize = maxMessageSize, MaxFragmentsPerMessage = fragments, Deflate = agreement.Parameters, Compression = compression,
                StreamMessages = stream,
            }
            : PlainOptions(maxMessageSize, fragments, stream);
        return (new NegotiatedUpgrade(accept, outcome.Items, protocol, outcome.ExpiresAt), null);
    }

    /// <summary>Takes a place and an id, builds the connection, has <paramref name="queueAnswer"/> queue the
    /// answer first (when the server writes it) and registers it: a broadcast made from then on reaches it,
    /// after its answer. A refusal when a limit was reached meanwhile or the server is stopping.</summary>
    public (EstablishedConnection? Established, HandshakeRejection? Refusal) TryEstablish(UpgradeRequest request, WebSocketRoute route,
        NegotiatedUpgrade upgrade, Action<LiveSession>? queueAnswer)
    {
        // The place (and the id) taken here is the connection's once registered, freed when refused.
        if (Refusal(server.TryAdmit(transport.Remote.Address, out long id)) is { } full) return (null, full);
        var live = new LiveSession(upgrade.Protocol, server.Options.SendQueueLimit, route.Options.SlowConsumer ?? server.Options.SlowConsumer, server.Metrics);
        queueAnswer?.Invoke(live);
        WebSocketConnection connection = CreateConnection(id, request, route, upgrade, live);
        connection.StartLifetime(route.Options.MaxLifetime, route.Options.LifetimeCloseCode, upgrade.ExpiresAt);
        if (Refusal(server.TryRegister(connection)) is { } refused)
        {
            live.Release();
            return (null, refused);
        }
        connection.RateLimiter = server.RentRateLimiter(route.Options.RateLimit ?? server.Options.RateLimit, transport.Remote.Address);
        Log.ConnectionOpened(server.Logger, connection.Id, transport.Remote, request.Path);
        server.Metrics.ConnectionOpened();
        ServerTracing.EndUpgrade(Span, request.HttpVersion.Major >= 2 ? 200 : 101, null, upgrade.Accept.Subprotocol, connection.Id);
        return (new EstablishedConnection(connection, route.Options), null);
    }

    /// <summary>The options of a session without permessage-deflate: only the limits and whether messages are
    /// streamed, which most connections share, so they share one object (the last one made) instead of one each.</summary>
    private static ProtocolOptions PlainOptions(long maxMessageSize, int maxFragments, bool stream)
    {
        ProtocolOptions last = Volatile.Read(ref s_plainOptions);
        if (last.MaxMessageSize == maxMessageSize && last.MaxFragmentsPerMessage == maxFragments && last.StreamMessages == stream) return last;
        ProtocolOptions created = s_reading with { MaxMessageSize = maxMessageSize, MaxFragmentsPerMessage = maxFragments, StreamMessages = stream };
        Volatile.Write(ref s_plainOptions, created);
        return created;
    }

    private static HandshakeRejection? Refusal(Admission admission) => admission switch
    {
        Admission.Admitted => null,
        Admission.ServerFull => ServerFull,
        Admission.AddressFull => AddressFull,
        _ => ShuttingDown,
    };

    private WebSocketConnection CreateConnection(long id, UpgradeRequest request, WebSocketRoute route, NegotiatedUpgrade upgrade, LiveSession live)
    {
        (bool isTls, SslProtocols? protocol, string? serverName) = transport.TlsInfo;
        var info = new ConnectionInfo
        {
            Id = id,
            RemoteEndPoint = transport.Remote,
            LocalEndPoint = transport.Local,
            Path = request.Path,
            Query = request.Query,
            Headers = request.Headers,
            HttpVersion = request.HttpVersion,
            Subprotocol = upgrade.Accept.Subprotocol,
            Extensions = upgrade.Accept.Extensions,
            IsTls = isTls,
            TlsProtocol = protocol,
            TlsServerName = serverName,
            Items = upgrade.Items,
            HostContext = hostContext,
            AcceptedAt = transport.AcceptedAt,
        };
        ActivityContext traced = server.Options.TraceHandlerCalls && Span is not null ? Span.Context : default;
        var calls = new HandlerCalls(route.CreateSession(), live, server.Logger, server.Metrics, info.Id, transport.Aborted, traced);
        return new WebSocketConnection(info, live, calls, transport, new Liveness(server.Liveness), server.Topics);
    }

    private async ValueTask<UpgradeOutcome> RunChecksAsync(UpgradeRequest request, WebSocketRoute route)
    {
        try
        {
            return await UpgradeNegotiation.NegotiateAsync(request, route, transport.Remote, transport.Local, hostContext, server.Stopping)
                .ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !server.Stopping.IsCancellationRequested)
        {
            // The client learns that the server failed, not why.
            Log.UpgradeCallbackFailed(server.Logger, transport.Remote, request.Path, ex);
            return new UpgradeOutcome(null, UpgradeDecision.Accepted.Items, InternalError);
        }
        catch (OperationCanceledException)
        {
            return new UpgradeOutcome(null, UpgradeDecision.Accepted.Items, ShuttingDown);
        }
    }
}
