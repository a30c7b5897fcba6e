using System.Buffers;
using System.IO.Pipelines;
using WsServer.Diagnostics;
using WsServer.Protocol.Handshake;
using WsServer.Routing;
using WsServer.Upgrade;

namespace WsServer.Connections;

/// <summary>An upgrade the server has decided to accept.</summary>
internal readonly record struct AcceptedUpgrade(UpgradeRequest Request, WebSocketRoute Route, HandshakeAccept Accept,
    IReadOnlyDictionary<string, object?> Items, ArrayBufferWriter<byte> Answer);

internal sealed partial class ConnectionLoop
{
    /// <summary>Reads the request head (in any number of pieces, within the handshake timeout),
    /// routes it, validates it and runs the route's checks and callbacks; answers a refusal itself and
    /// returns null, or returns the accepted upgrade with any bytes after the head left in
    /// <paramref name="input"/>. No handler state exists until this returns an accept.</summary>
    private async Task<AcceptedUpgrade?> ReadUpgradeAsync(PipeReader input, Stream stream)
    {
        UpgradeRequest? request = await ReadRequestAsync(input, stream).ConfigureAwait(false);
        if (request is null || await TryServePageAsync(stream, request).ConfigureAwait(false)) return null;

        WebSocketRoute? route = _server.Options.Routes.Match(request.Path);
        // Route first: a plain request for an unknown path is 404, for a WebSocket route 426.
        HandshakeRejection? refusal = route is null ? HandshakeRejection.NotFound() : ServerHandshake.Validate(request);
        if (refusal is not null)
        {
            await RefuseAsync(stream, request.Target, refusal).ConfigureAwait(false);
            return null;
        }
        UpgradeOutcome outcome = await NegotiateAsync(request, route!).ConfigureAwait(false);
        if (outcome.Accept is { } negotiated && NegotiateCompression(request, route!, negotiated) is var accept
            && TryWriteAccept(request, accept) is { } answer)
            return new AcceptedUpgrade(request, route!, accept, outcome.Items, answer);
        await RefuseAsync(stream, request.Target, outcome.Rejection ?? InternalError).ConfigureAwait(false);
        return null;
    }

    private static HandshakeRejection InternalError => new(500, "internal server error");

    /// <summary>The 101 answer; null, logged, when a callback's headers cannot be written (a reserved
    /// field, a bad character): that is the callback's bug, answered with 500.</summary>
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
            Log.UpgradeCallbackFailed(_server.Logger, _remote, request.Path, ex);
            return null;
        }
    }

    private async ValueTask<UpgradeOutcome> NegotiateAsync(UpgradeRequest request, WebSocketRoute route)
    {
        try
        {
            return await UpgradeNegotiation.NegotiateAsync(request, route, _remote, _local, _server.Stopping).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !_server.Stopping.IsCancellationRequested)
        {
            // The client learns that the server failed, not why.
            Log.UpgradeCallbackFailed(_server.Logger, _remote, request.Path, ex);
            return new UpgradeOutcome(null, UpgradeDecision.Accepted.Items, InternalError);
        }
    }

    private async Task<UpgradeRequest?> ReadRequestAsync(PipeReader input, Stream stream)
    {
        using var timeout = new CancellationTokenSource(_server.Options.HandshakeTimeout, _server.Time);
        using var cancellation = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, _server.Stopping);
        try
        {
            while (true)
            {
                ReadResult read = await input.ReadAsync(cancellation.Token).ConfigureAwait(false);
                ReadOnlySequence<byte> buffer = read.Buffer;
                OperationStatus status = UpgradeRequestParser.TryParse(
                    ref buffer, _server.Options.HandshakeLimits, out UpgradeRequest? request, out HandshakeRejection? rejection);
                if (status == OperationStatus.Done)
                {
                    input.AdvanceTo(buffer.Start);
                    return request;
                }
                input.AdvanceTo(buffer.Start, buffer.End);
                if (status == OperationStatus.InvalidData)
                {
                    await RefuseAsync(stream, "(unparsed)", rejection!).ConfigureAwait(false);
                    return null;
                }
                if (read.IsCompleted)
                {
                    Log.HandshakeAbandoned(_server.Logger, _remote, "the client closed before its request was complete");
                    return null;
                }
            }
        }
        catch (OperationCanceledException)
        {
            Log.HandshakeAbandoned(_server.Logger, _remote,
                timeout.IsCancellationRequested ? "handshake timeout" : "server stopping");
            return null;
        }
    }

    private async Task RefuseAsync(Stream stream, string target, HandshakeRejection rejection)
    {
        var response = new ArrayBufferWriter<byte>(512);
        try
        {
            ServerHandshake.WriteRejection(response, rejection);
        }
        catch (ArgumentException ex)
        {
            // A callback's rejection with headers that cannot be written: its bug, answered with 500.
            Log.UpgradeCallbackFailed(_server.Logger, _remote, target, ex);
            rejection = InternalError;
            response.ResetWrittenCount();
            ServerHandshake.WriteRejection(response, rejection);
        }
        Log.UpgradeRefused(_server.Logger, _remote, target, rejection.StatusCode, rejection.Reason);
        ServerMetrics.UpgradeRefused(rejection.StatusCode);
        await stream.WriteAsync(response.WrittenMemory).ConfigureAwait(false);
        // Half-close so the response is not lost to a reset if the client is still sending.
        await ShutdownSendAsync().ConfigureAwait(false);
    }
}
