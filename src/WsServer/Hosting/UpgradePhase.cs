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
internal sealed record EstablishedConnection(WebSocketConnection Connection, WebSocketRouteOptions Route);

/// <summary>
/// The second phase: reads the request head (in any number of pieces, within the handshake timeout),
/// serves a mapped page to a plain GET, routes, and has <see cref="UpgradeAdmission"/> check it; then
/// either refuses (an HTTP status with a reason, then the end of the connection) or builds the
/// connection, queues its 101 first in its send queue and registers it, all before its writer starts
/// writing (the 101 first): a broadcast made as soon as the client sees the 101 reaches it, and a server that
/// is stopping answers 503 instead.
/// </summary>
internal sealed class UpgradePhase(ServerContext server, ConnectionTransport transport, PipeReader input)
{
    private readonly UpgradeAdmission _admission = new(server, transport);

    public async Task<EstablishedConnection?> RunAsync()
    {
        UpgradeRequest? request = await ReadRequestAsync().ConfigureAwait(false);
        if (request is null || await TryServePageAsync(request).ConfigureAwait(false)) return null;

        WebSocketRoute? route = server.Options.Routes.Match(request.Path);
        _admission.BeginSpan(request, route);
        (NegotiatedUpgrade? upgrade, HandshakeRejection? refusal) = await _admission.NegotiateAsync(request, route).ConfigureAwait(false);
        if (upgrade is null) return await RefuseAsync(request.Target, refusal!).ConfigureAwait(false);
        if (TryWriteAccept(request, upgrade.Accept) is not { } answer)
            return await RefuseAsync(request.Target, UpgradeAdmission.InternalError).ConfigureAwait(false);
        (EstablishedConnection? established, refusal) =
            _admission.TryEstablish(request, route!, upgrade, live => live.QueueHandshakeAnswer(answer.WrittenSpan));
        return established ?? await RefuseAsync(request.Target, refusal!).ConfigureAwait(false);
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
            await RefuseAsync("(unfinished)", UpgradeAdmission.ShuttingDown).ConfigureAwait(false);
            return null;
        }
    }

    /// <summary>Answers a plain GET (no upgrade) of a probe's path or a mapped page; true when it did.</summary>
    private async ValueTask<bool> TryServePageAsync(UpgradeRequest request)
    {
        if (request.Method != "GET" || request.Headers["Upgrade"] is not null) return false;
        var response = new ArrayBufferWriter<byte>(256);
        ServerOptions options = server.Options;
        if (request.Path == options.HealthPath)
        {
            ServerHandshake.WritePage(response, "text/plain; charset=utf-8", "ok"u8);
        }
        else if (request.Path == options.ReadinessPath)
        {
            if (server.NotReadyBecause() is { } reason)
                ServerHandshake.WriteRejection(response, new HandshakeRejection(503, reason) { Headers = [new("Retry-After", "5")] });
            else
                ServerHandshake.WritePage(response, "text/plain; charset=utf-8", "ready"u8);
        }
        else if (options.Routes.MatchPage(request.Path) is StaticPage page)
        {
            if (page.Allow is { } allow && !allow(request, transport.Remote))
            {
                await RefuseAsync(request.Path, UpgradeAdmission.Forbidden).ConfigureAwait(false);
                return true;
            }
            ServerHandshake.WritePage(response, page.ContentType, page.Body.Span);
        }
        else
        {
            return false;
        }
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
            rejection = UpgradeAdmission.InternalError;
            response.ResetWrittenCount();
            ServerHandshake.WriteRejection(response, rejection);
        }
        Log.Refused(server.Logger, transport.Remote, target, rejection);
        _admission.EndSpan(rejection);
        server.Metrics.UpgradeRefused(rejection.StatusCode);
        await transport.WriteAsync(response.WrittenMemory).ConfigureAwait(false);
        await transport.ShutdownSendAsync().ConfigureAwait(false);
        return null;
    }
}
