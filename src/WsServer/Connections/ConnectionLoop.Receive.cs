using System.Buffers;
using System.IO.Pipelines;
using WsServer.Diagnostics;
using WsServer.Handlers;
using WsServer.Protocol.Closing;
using WsServer.Protocol.Framing;
using WsServer.Protocol.Messages;
using WsServer.Protocol.Session;
using WsServer.Routing;

namespace WsServer.Connections;

internal sealed partial class ConnectionLoop
{
    /// <summary>Reads events until the closing handshake completes, the peer breaks the protocol, the
    /// close timeout passes or the transport ends. The handler runs before the bytes are released.</summary>
    private async Task ReceiveUntilClosedAsync(PipeReader input, ProtocolSession session, Outbox outbox,
        HandlerSession handler, RouteOptions route)
    {
        var replies = new ArrayBufferWriter<byte>(128);
        try
        {
            while (true)
            {
                ReadResult read = await input.ReadAsync(_receiving.Token).ConfigureAwait(false);
                MarkReceived();
                ReadOnlySequence<byte> unread = read.Buffer;
                bool ended = false;
                while (!ended)
                {
                    OperationStatus status = session.TryReadEvent(ref unread, replies, out ProtocolEvent evt);
                    if (replies.WrittenCount > 0)
                    {
                        bool endsWithClose = status != OperationStatus.NeedMoreData
                            && evt.Kind is ProtocolEventKind.Close or ProtocolEventKind.Violation;
                        // Automatic replies (pong, close echo) go out in order, ahead of the queue limit.
                        outbox.TryWriteEncoded(replies.WrittenSpan, endsWithClose, ignoreLimit: true, defer: true);
                        replies.ResetWrittenCount();
                    }
                    if (status == OperationStatus.NeedMoreData) break;
                    ended = await DispatchAsync(evt, outbox, handler, route).ConfigureAwait(false);
                }
                // Everything this read produced goes to the pump at once, in as few writes as it fits.
                outbox.Flush();
                input.AdvanceTo(unread.Start, read.Buffer.End);
                if (ended) return;
                if (read.IsCompleted)
                {
                    _closed ??= Abnormal(null);
                    return;
                }
            }
        }
        catch (Exception ex) when (IsTransportEnd(ex))
        {
            _closed ??= Abnormal(ex is OperationCanceledException ? null : ex);
        }
        finally
        {
            outbox.Flush();
        }
    }

    /// <summary>Acts on one event; true when the connection is done reading.</summary>
    private async ValueTask<bool> DispatchAsync(ProtocolEvent evt, Outbox outbox, HandlerSession handler, RouteOptions route)
    {
        switch (evt.Kind)
        {
            case ProtocolEventKind.Message:
                ServerMetrics.MessageReceived();
                // After our close frame, the handler has said its last word: data is read and dropped.
                if (outbox.IsCloseQueued) return false;
                var type = evt.MessageKind == MessageKind.Text ? WebSocketMessageType.Text : WebSocketMessageType.Binary;
                await CallHandlerAsync(handler, new WebSocketMessage(type, evt.Payload), outbox).ConfigureAwait(false);
                return false;
            case ProtocolEventKind.Ping or ProtocolEventKind.Pong:
                if (route.DeliverControlFrames && !outbox.IsCloseQueued)
                {
                    var control = evt.Kind == ProtocolEventKind.Ping ? WebSocketMessageType.Ping : WebSocketMessageType.Pong;
                    await CallHandlerAsync(handler, new WebSocketMessage(control, evt.Payload), outbox).ConfigureAwait(false);
                }
                return false;
            case ProtocolEventKind.Close:
                _closed ??= _localClose ?? new ConnectionClosed(evt.CloseCode, evt.CloseReason ?? "", CloseInitiator.Peer);
                if (route.DeliverControlFrames)
                {
                    var close = new WebSocketMessage(WebSocketMessageType.Close, evt.Payload, evt.CloseCode);
                    await CallHandlerAsync(handler, close, outbox).ConfigureAwait(false);
                }
                return true;
            case ProtocolEventKind.Violation:
                ProtocolViolation violation = evt.Violation!.Value;
                Log.ProtocolViolation(_server.Logger, _id, violation.Code, violation.Reason);
                _closed ??= new ConnectionClosed(violation.Code, violation.Reason, CloseInitiator.Server);
                return true;
            default:
                throw new System.Diagnostics.UnreachableException($"Unknown protocol event {evt.Kind}.");
        }
    }

    private async ValueTask CallHandlerAsync(HandlerSession handler, WebSocketMessage message, Outbox outbox)
    {
        try
        {
            ValueTask<HandleOutcome> pending = handler.HandleAsync(message, _receiving.Token);
            // A handler that goes async must not hold back the replies already queued for this read.
            if (!pending.IsCompleted) outbox.Flush();
            HandleOutcome outcome = await pending.ConfigureAwait(false);
            await ApplyAsync(outcome, outbox).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !_receiving.IsCancellationRequested)
        {
            FailHandler(ex, _connection!);
        }
    }

    /// <summary>Carries out a handler's result, in order with everything already queued.</summary>
    private async ValueTask ApplyAsync(HandleOutcome outcome, Outbox outbox)
    {
        ReplyPayload payload = outcome.Payload;
        switch (outcome.Action)
        {
            case HandleAction.NoReply:
                return;
            case HandleAction.Reply:
                // Back-pressure: while the peer is not reading, stop reading from it too.
                Task space = outbox.WaitForSpaceAsync(_receiving.Token);
                if (!space.IsCompleted)
                {
                    // The deferred replies count against the limit: the pump must be writing them.
                    outbox.Flush();
                    await space.ConfigureAwait(false);
                }
                if (payload.Text is { } text) outbox.TryWriteText(text, ignoreLimit: true, defer: true);
                else outbox.TryWriteFrame(payload.Kind == MessageKind.Text ? Opcode.Text : Opcode.Binary,
                    payload.Bytes.Span, ignoreLimit: true, defer: true);
                return;
            case HandleAction.Ping or HandleAction.Pong:
                // RFC 6455 §5.5: "All control frames MUST have a payload length of 125 bytes or less".
                if (payload.Bytes.Length > 125)
                    throw new ArgumentException("A ping or pong carries at most 125 bytes.", nameof(outcome));
                outbox.TryWriteFrame(outcome.Action == HandleAction.Ping ? Opcode.Ping : Opcode.Pong,
                    payload.Bytes.Span, ignoreLimit: true, defer: true);
                return;
            case HandleAction.Close:
                _connection!.Close(payload.CloseCode, payload.CloseReason);
                return;
            default:
                throw new System.Diagnostics.UnreachableException($"Unknown handler action {outcome.Action}.");
        }
    }
}
