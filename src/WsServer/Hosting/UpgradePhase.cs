using System.Buffers;
using System.IO.Pipelines;
using WsServer.Diagnostics;
using WsServer.Connections;
using WsServer.Protocol.Compression;
using WsServer.Protocol.Handshake;
using WsServer.Protocol.Session;
using WsServer.Routing;
using WsServer.Transport;

namespace WsServer.Hosting;

/// <summary>A connection whose upgrade was answered with 101: registered, its handler not yet initialised.</summary>
internal sealed record EstablishedConnection(WebSocketConnection Connection, RouteOptions Route);

/// <summary>
/// The second phase: reads the request head (in any number of pieces, within the handshake timeout),
/// serves a mapped page to a plain GET, routes, validates, runs the route's checks and callbacks, and
/// either refuses (an HTTP status with a reason, then the end of the connection) or builds the
/// connection, queues its 101 first in its send queue and registers it, all before its writer starts
/// writing (the 101 first): a broadcast made as soon as the client sees the 101 reaches it, and a server that
/// is stopping answers 503 instead.
/// </summary>
internal sealed class UpgradePhase(ServerContext server, ConnectionTransport transport, PipeReader input)
{
    private static ProtocolOptions s_plainOptions = ProtocolOptions.Default;
    private static readonly HandshakeRejection InternalError = new(500, "internal server error");
    private static readonly HandshakeRejection ShuttingDown =
        new(503, "server shutting down") { Headers = [new("Retry-After", "5")] };
    // Over a connection limit: a client may try again once some connection has closed. Refused before the
    // 101, so the client sees an HTTP status it can act on, not a WebSocket it must then lose.
    private static readonly HandshakeRejection ServerFull =
        new(503, "too many connections") { Headers = [new("Retry-After", "5")] };
    private static readonly HandshakeRejection AddressFull =
        new(503, "too many connections from this address") { Headers = [new("Retry-After", "5")] };

    public async Task<EstablishedConnection?> RunAsync()
    {
        UpgradeRequest? request = await ReadRequestAsync().ConfigureAwait(false);
        if (request is null || await TryServePageAsync(request).ConfigureAwait(false)) return null;

        WebSocketRoute? route = server.Options.Routes.Match(request.Path);
        // Route first: a plain request for an unknown path is 404, for a WebSocket route 426.
        HandshakeRejection? refusal = route is null ? HandshakeRejection.NotFound() : ServerHandshake.Validate(request);
        // The limits next, before the route's callbacks spend anything on a connection that cannot be kept.
        refusal ??= Refusal(server.CanAdmit(transport.Remote.Address));
        if (refusal is not null) return await RefuseAsync(request.Target, refusal).ConfigureAwait(false);

        UpgradeOutcome outcome = await NegotiateAsync(request, route!).ConfigureAwait(false);
        if (outcome.Accept is not { } negotiated) return await RefuseAsync(request.Target, outcome.Rejection ?? InternalError).ConfigureAwait(false);
        PerMessageDeflateOptions compression = route!.Options.Compression ?? server.Options.Compression;
        // Without the codec's zlib (logged once, at the start) every offer is declined: the connection
        // goes on uncompressed rather than failing at its first compressed message.
        if (!server.Options.CompressionSupported) compression = PerMessageDeflateOptions.Disabled;
        DeflateAgreement? deflate = negotiated.Extensions is null ? PerMessageDeflateNegotiator.Negotiate(request.Extensions, compression) : null;
        HandshakeAccept accept = deflate is { } agreed ? negotiated with { Extensions = agreed.ResponseHeader } : negotiated;
        if (TryWriteAccept(request, accept) is not { } answer) return await RefuseAsync(request.Target, InternalError).ConfigureAwait(false);
        // The place (and the id) taken here is the connection's once registered, freed when refused.
        if (Refusal(server.TryAdmit(transport.Remote.Address, out long id)) is { } full) return await RefuseAsync(request.Target, full).ConfigureAwait(false);

        long maxMessageSize = route.Options.MaxMessageSize ?? server.Options.MaxMessageSize;
        bool stream = route.Options.StreamMessages;
        ProtocolOptions protocol = deflate is { } agreement
            ? new ProtocolOptions { MaxMessageSize = maxMessageSize, Deflate = agreement.Parameters, Compression = compression, StreamMessages = stream }
            : PlainOptions(maxMessageSize, stream);
        var live = new LiveSession(protocol, server.Options.SendQueueLimit, route.Options.SlowConsumer ?? server.Options.SlowConsumer, server.Metrics);
        live.QueueHandshakeAnswer(answer.WrittenSpan);
        WebSocketConnection connection = CreateConnection(id, request, route, accept, outcome.Items, live);
        if (Refusal(server.TryRegister(connection)) is { } refused)
        {
            live.Release();
            return await RefuseAsync(request.Target, refused).ConfigureAwait(false);
        }
        Log.ConnectionOpened(server.Logger, connection.Id, transport.Remote, request.Path);
        server.Metrics.ConnectionOpened();
        return new EstablishedConnection(connection, route.Options);
    }

    /// <summary>The options of a session without permessage-deflate: only the size limit and whether messages
    /// are streamed, which most connections share, so they share one object (the last one made) instead of one each.</summary>
    private static ProtocolOptions PlainOptions(long maxMessageSize, bool stream)
    {
        ProtocolOptions last = Volatile.Read(ref s_plainOptions);
        if (last.MaxMessageSize == maxMessageSize && last.StreamMessages == stream) return last;
        var created = new ProtocolOptions { MaxMessageSize = maxMessageSize, StreamMessages = stream };
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

    private WebSocketConnection CreateConnection(long id, UpgradeRequest request, WebSocketRoute route, HandshakeAccept accept,
        IReadOnlyDictionary<string, object?> items, LiveSession live)
    {
        (bool isTls, System.Security.Authentication.SslProtocols? protocol, string? serverName) = transport.TlsInfo;
        var info = new ConnectionInfo
        {
            Id = id,
            RemoteEndPoint = transport.Remote,
            LocalEndPoint = transport.Local,
            Path = request.Path,
            Query = request.Query,
            Headers = request.Headers,
            Subprotocol = accept.Subprotocol,
            Extensions = accept.Extensions,
            IsTls = isTls,
            TlsProtocol = protocol,
            TlsServerName = serverName,
            Items = items,
            AcceptedAt = transport.AcceptedAt,
        };
        var calls = new HandlerCalls(route.CreateSession(), live, server.Logger, server.Metrics, info.Id, transport.Aborted);
        ServerOptions options = server.Options;
        var liveness = new Liveness(server.Time, options.KeepAliveInterval, options.PongTimeout, options.IdleTimeout);
        return new WebSocketConnection(info, live, calls, transport, server.Time, liveness, options.PongTimeout, server.Metrics,
            server.Topics);
    }

    /// <summary>The 101 answer; null, logged, when a callback's headers cannot be written (a reserved
    /// field, a bad character): that is the callback's bug, answered with 500. <see cref="UpgradeDecision.Accept"/>
    /// refuses such headers already; this is the second guard, for what reaches the writer another way.</summary>
    private ArrayBufferWriter<byte>? TryWriteAccept(UpgradeRequest request, HandshakeAccept accept)
    {
        var answer = new ArrayBufferWriter<byte>(256);
        try
        {
            ServerHandshake.WriteAccept(answer, request, accept);
            return answer;
        }
        catch (ArgumentException ex)
        {
            Log.UpgradeCallbackFailed(server.Logger, transport.Remote, request.Path, ex);
            return null;
        }
    }

    private async ValueTask<UpgradeOutcome> NegotiateAsync(UpgradeRequest request, WebSocketRoute route)
    {
        try
        {
            return await UpgradeNegotiation.NegotiateAsync(request, route, transport.Remote, transport.Local, server.Stopping)
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

    private async Task<UpgradeRequest?> ReadRequestAsync()
    {
        using var timeout = new CancellationTokenSource(server.Options.HandshakeTimeout, server.Time);
        using var cancellation = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, server.Stopping);
        try
        {
            while (true)
            {
                ReadResult read = await input.ReadAsync(cancellation.Token).ConfigureAwait(false);
                ReadOnlySequence<byte> buffer = read.Buffer;
                OperationStatus status = UpgradeRequestParser.TryParse(
                    ref buffer, server.Options.HandshakeLimits, out UpgradeRequest? request, out HandshakeRejection? rejection);
                if (status == OperationStatus.Done)
                {
                    input.AdvanceTo(buffer.Start);
                    return request;
                }
                input.AdvanceTo(buffer.Start, buffer.End);
                if (status == OperationStatus.InvalidData)
                {
                    await RefuseAsync("(unparsed)", rejection!).ConfigureAwait(false);
                    return null;
                }
                if (read.IsCompleted)
                {
                    Log.HandshakeAbandoned(server.Logger, transport.Remote, "the client closed before its request was complete");
                    return null;
                }
            }
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            Log.HandshakeAbandoned(server.Logger, transport.Remote, "handshake timeout");
            return null;
        }
        catch (OperationCanceledException)
        {
            // A request still in progress when the server stops is told so, with a status.
            Log.HandshakeAbandoned(server.Logger, transport.Remote, "server stopping");
            await RefuseAsync("(unfinished)", ShuttingDown).ConfigureAwait(false);
            return null;
        }
    }

    /// <summary>Answers a plain GET (no upgrade) of a mapped page with the page; true when it did.</summary>
    private async ValueTask<bool> TryServePageAsync(UpgradeRequest request)
    {
        if (request.Method != "GET" || request.Headers["Upgrade"] is not null) return false;
        if (server.Options.Routes.MatchPage(request.Path) is not StaticPage page) return false;

        var response = new ArrayBufferWriter<byte>(page.Body.Length + 160);
        ServerHandshake.WritePage(response, page.ContentType, page.Body.Span);
        await transport.WriteAsync(response.WrittenMemory).ConfigureAwait(false);
        await transport.ShutdownSendAsync().ConfigureAwait(false);
        return true;
    }

    /// <summary>Sends the refusal and half-closes, so the response is not lost to a reset if the client
    /// is still sending; always null, the end of this connection.</summary>
    private async Task<EstablishedConnection?> RefuseAsync(string target, HandshakeRejection rejection)
    {
        var response = new ArrayBufferWriter<byte>(512);
        try
        {
            ServerHandshake.WriteRejection(response, rejection);
        }
        catch (ArgumentException ex)
        {
            // A callback's rejection with headers that cannot be written: its bug, answered with 500.
            Log.UpgradeCallbackFailed(server.Logger, transport.Remote, target, ex);
            rejection = InternalError;
            response.ResetWrittenCount();
            ServerHandshake.WriteRejection(response, rejection);
        }
        Log.UpgradeRefused(server.Logger, transport.Remote, target, rejection.StatusCode, rejection.Reason);
        server.Metrics.UpgradeRefused(rejection.StatusCode);
        await transport.WriteAsync(response.WrittenMemory).ConfigureAwait(false);
        await transport.ShutdownSendAsync().ConfigureAwait(false);
        return null;
    }
}
