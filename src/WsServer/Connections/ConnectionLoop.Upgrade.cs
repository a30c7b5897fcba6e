using System.Buffers;
using System.IO.Pipelines;
using WsServer.Diagnostics;
using WsServer.Protocol.Handshake;
using WsServer.Routing;

namespace WsServer.Connections;

/// <summary>An upgrade the server has decided to accept.</summary>
internal readonly record struct AcceptedUpgrade(UpgradeRequest Request, WebSocketRoute Route, HandshakeAccept Accept);

internal sealed partial class ConnectionLoop
{
    /// <summary>Reads the request head (in any number of pieces, within the handshake timeout),
    /// routes it and validates it; answers a refusal itself and returns null, or returns the accepted
    /// upgrade with any bytes after the head left in <paramref name="input"/>.</summary>
    private async Task<AcceptedUpgrade?> ReadUpgradeAsync(PipeReader input, Stream stream)
    {
        UpgradeRequest? request = await ReadRequestAsync(input, stream).ConfigureAwait(false);
        if (request is null) return null;

        WebSocketRoute? route = _server.Options.Routes.Match(request.Path);
        // Route first: a plain request for an unknown path is 404, for a WebSocket route 426.
        HandshakeRejection? refusal = route is null ? HandshakeRejection.NotFound() : ServerHandshake.Validate(request);
        if (refusal is not null)
        {
            await RefuseAsync(stream, request.Target, refusal).ConfigureAwait(false);
            return null;
        }
        return new AcceptedUpgrade(request, route!, NegotiateCompression(request, route!, HandshakeAccept.Plain));
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
        Log.UpgradeRefused(_server.Logger, _remote, target, rejection.StatusCode, rejection.Reason);
        ServerMetrics.UpgradeRefused(rejection.StatusCode);
        var response = new ArrayBufferWriter<byte>(512);
        ServerHandshake.WriteRejection(response, rejection);
        await stream.WriteAsync(response.WrittenMemory).ConfigureAwait(false);
        // Half-close so the response is not lost to a reset if the client is still sending.
        _socket.Shutdown(System.Net.Sockets.SocketShutdown.Send);
    }
}
