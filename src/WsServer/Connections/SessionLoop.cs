using System.Buffers;
using System.IO.Pipelines;
using WsServer.Diagnostics;
using WsServer.Handlers;
using WsServer.Hosting;
using WsServer.Protocol.Messages;
using WsServer.Protocol.Session;
using WsServer.Routing;

namespace WsServer.Connections;

/// <summary>
/// The third phase: the session running. Reads what the peer sends, lets the session turn it into
/// events (its automatic replies go straight to the outbox), hands each message to the handler in
/// the connection's turn, and writes once per read, so the replies to a burst leave together.
/// Returns when the closing handshake is complete, the peer broke the protocol or the transport ended;
/// transport errors propagate to the caller.
/// </summary>
internal sealed class SessionLoop(ServerContext server, PipeReader input, EstablishedConnection established, Liveness liveness,
    CancellationToken aborted)
{
    private readonly WebSocketConnection _connection = established.Connection;
    private readonly LiveSession _live = established.Connection.Live;
    private readonly RouteOptions _route = established.Route;
    private readonly Action _flush = established.Connection.Live.Outbox.Flush;

    public async Task RunAsync()
    {
        while (true)
        {
            // No token: an abort disposes the socket, which ends the read, and a pending read with a token
            // would hold a registration on it for as long as the connection is idle.
            ReadResult read = await input.ReadAsync().ConfigureAwait(false);
            liveness.MarkReceived();
            ReadOnlySequence<byte> unread = read.Buffer;
            bool ended = false;
            while (!ended)
            {
                if (_live.TryReadEvent(ref unread, out ProtocolEvent evt) == OperationStatus.NeedMoreData) break;
                ended = await DispatchAsync(evt).ConfigureAwait(false);
            }
            // Everything this read produced is written at once, on this thread.
            _flush();
            server.Metrics.BytesReceived(read.Buffer.Length - unread.Length);
            input.AdvanceTo(unread.Start, read.Buffer.End);
            if (ended) return;
            await PauseWhileOverLimitAsync().ConfigureAwait(false);
            if (read.IsCompleted)
            {
                _live.TransportEnded(null);
                return;
            }
        }
    }

    /// <summary>A peer that does not read what it is sent (its pongs included) is not read from either,
    /// so it cannot grow the server's memory; under <see cref="SlowConsumerPolicy.Close"/> it is closed.</summary>
    private async ValueTask PauseWhileOverLimitAsync()
    {
        if (!_live.IsOverLimit) return;
        if (_live.SlowConsumer == SlowConsumerPolicy.Close) _live.Overflow();
        else await _live.Outbox.WaitForSpaceAsync(aborted).ConfigureAwait(false);
    }

    /// <summary>Acts on one event; true when the connection is done reading.</summary>
    private async ValueTask<bool> DispatchAsync(ProtocolEvent evt)
    {
        switch (evt.Kind)
        {
            case ProtocolEventKind.Message:
                server.Metrics.MessageReceived();
                // After our close frame, the handler has said its last word: data is read and dropped.
                if (!_live.IsOpen) return false;
                var type = evt.MessageKind == MessageKind.Text ? MessageType.Text : MessageType.Binary;
                await _connection.Calls.DeliverAsync(new WebSocketMessage(type, evt.Payload), _flush).ConfigureAwait(false);
                return false;
            case ProtocolEventKind.Ping or ProtocolEventKind.Pong:
                if (evt.Kind == ProtocolEventKind.Pong)
                {
                    liveness.MarkPong();
                    _connection.Pings.OnPong(evt.Payload.Span);
                }
                if (_route.DeliverControlFrames && _live.IsOpen)
                {
                    var control = evt.Kind == ProtocolEventKind.Ping ? MessageType.Ping : MessageType.Pong;
                    await _connection.Calls.DeliverAsync(new WebSocketMessage(control, evt.Payload), _flush).ConfigureAwait(false);
                }
                return false;
            case ProtocolEventKind.Close:
                if (_route.DeliverControlFrames)
                {
                    // The payload is the status code (2 bytes, when present) and the reason: hand on the reason.
                    ReadOnlyMemory<byte> reason = evt.CloseCode is null ? default : evt.Payload[2..];
                    var close = new WebSocketMessage(MessageType.Close, reason, evt.CloseCode);
                    await _connection.Calls.DeliverAsync(close, _flush).ConfigureAwait(false);
                }
                return true;
            case ProtocolEventKind.Violation:
                Log.ProtocolViolation(server.Logger, _connection.Id, evt.CloseCode!.Value, evt.CloseReason ?? "");
                return true;
            default:
                throw new System.Diagnostics.UnreachableException($"Unknown protocol event {evt.Kind}.");
        }
    }
}
