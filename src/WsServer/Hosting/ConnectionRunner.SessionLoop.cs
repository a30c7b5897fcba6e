using System.Buffers;
using System.IO.Pipelines;
using System.Runtime.CompilerServices;
using WsServer.Diagnostics;
using WsServer.Connections;
using WsServer.Protocol.Messages;
using WsServer.Protocol.Session;
using WsServer.Routing;
using WsServer.Transport;
using WsServer.Transport.Epoll;

namespace WsServer.Hosting;

/// <summary>
/// The third phase: the session running. Reads what the peer sends, lets the session turn it into
/// events (its automatic replies go straight to the send queue), hands each message to the handler in
/// the connection's turn, and writes once per read, so the replies to a burst leave together (on an epoll
/// loop's thread, once the loop has served every connection it woke for: <see cref="LoopBatch"/>).
/// Ends when the closing handshake is complete, the peer broke the protocol or the transport ended.
/// Over any transport it parks between reads: it serves what the input has, then leaves the runner to run
/// when more arrives (<see cref="TransportInput.TryParkUntilReadable"/>) and returns, so a quiet
/// connection holds no async frame, only its objects. The loop is part of the runner, not an object of
/// its own: an idle connection carries one object fewer.
/// </summary>
internal sealed partial class ConnectionRunner : IThreadPoolWorkItem
{
    private static readonly ContextCallback s_serve = static runner => ((ConnectionRunner)runner!).Serve();
    private static readonly ContextCallback s_served = static runner => ((ConnectionRunner)runner!).OnServed();

    private WebSocketRouteOptions? _route;
    // Read through the connection and the transport rather than kept: a quiet connection holds two fields fewer.
    private LiveSession Live => _connection!.Live;
    private TransportInput Input => _transport!.Input;
    private ExecutionContext? _context; // the connection's log scope, for the phases run from the loop's callbacks
    private ValueTask<bool> _serving;
    private Action? _onServed; // made when a handler first goes asynchronous
    private IncomingStream? _incoming; // on a streaming route, made at its first message

    /// <summary>Serves the session, parking whenever the input has nothing; returns at the first park. Its
    /// end (<see cref="SessionEnded"/>) starts the last phase.</summary>
    private void StartSession(WebSocketRouteOptions route)
    {
        _route = route;
        _context = ExecutionContext.Capture();
        Serve();
    }

    // The socket's edge, on the loop's thread (or the pool's): in the connection's context again.
    void IThreadPoolWorkItem.Execute()
    {
        if (_context is null) Serve();
        else ExecutionContext.Run(_context, s_serve, this);
    }

    private void Serve()
    {
        while (true)
        {
            ValueTask<bool> serving = ServeWhileReadableAsync();
            if (!serving.IsCompleted)
            {
                // A handler (or back-pressure) went asynchronous: go on when it is done.
                _serving = serving;
                serving.ConfigureAwait(false).GetAwaiter().UnsafeOnCompleted(_onServed ??= OnServedInContext);
                return;
            }
            if (!ParkOrEnd(serving)) return;
        }
    }

    private void OnServedInContext()
    {
        if (_context is null) OnServed();
        else ExecutionContext.Run(_context, s_served, this);
    }

    private void OnServed()
    {
        ValueTask<bool> serving = _serving;
        _serving = default;
        if (ParkOrEnd(serving)) Serve();
    }

    /// <summary>After serving: parks until the next edge, or tells the owner the session ended. True
    /// when an edge came before parking: serve again now.</summary>
    private bool ParkOrEnd(ValueTask<bool> serving)
    {
        try
        {
            if (!serving.Result) return !Input.TryParkUntilReadable(this);
            _incoming?.Abort();
            SessionEnded(null);
        }
        catch (Exception ex)
        {
            _incoming?.Abort();
            SessionEnded(ex);
        }
        return false;
    }

    /// <summary>Acts on each read the input has now: its events, then everything they produced written at
    /// once, on this thread. True when the session is done reading; false when the socket has nothing now.
    /// One method for every read, so a read costs no call of an async method of its own.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<bool> ServeWhileReadableAsync()
    {
        while (Input.TryReceive(out ReadResult read))
        {
            _connection!.Liveness.MarkReceived();
            ReadOnlySequence<byte> unread = read.Buffer;
            bool ended = false;
            // What the handler sends to its own connection on this thread waits for the flush below.
            LiveSession? outer = Live.EnterLoop();
            bool inLoop = true; // false while awaiting: the thread that goes on enters anew
            try
            {
                while (!ended)
                {
                    Dispatched dispatched;
                    ValueTask<bool> pending;
                    if (Live.TryReadSmallMessage(ref unread, out MessageKind kind, out ReadOnlyMemory<byte> payload))
                        dispatched = DispatchMessage(kind, payload, out pending);
                    else if (Live.TryReadEvent(ref unread, out ProtocolEvent evt) == OperationStatus.NeedMoreData) break;
                    else dispatched = Dispatch(in evt, out pending);
                    if (dispatched != Dispatched.Pending)
                    {
                        ended = dispatched == Dispatched.Ended;
                        continue;
                    }
                    LiveSession.LeaveLoop(outer);
                    inLoop = false;
                    ended = await pending.ConfigureAwait(false);
                    outer = Live.EnterLoop();
                    inLoop = true;
                }
            }
            finally
            {
                if (inLoop) LiveSession.LeaveLoop(outer);
                _connection.Calls.GiveBackKeptTurn();
            }
            // The last replies (the answer to a close) go at once: the closing phase that follows waits for them.
            if (ended || read.IsCompleted) Live.Flush();
            else Live.FlushAtBatchEnd();
            _server.Metrics.BytesReceived(read.Buffer.Length - unread.Length);
            Input.AdvanceTo(unread.Start, read.Buffer.End);
            if (ended) return true;
            if (Live.IsOverLimit) await PauseWhileOverLimitAsync().ConfigureAwait(false);
            if (!read.IsCompleted) continue;
            Live.TransportEnded(null);
            return true;
        }
        return false;
    }

    /// <summary>A peer that does not read what it is sent (its pongs included) is not read from either,
    /// so it cannot grow the server's memory; under <see cref="SlowConsumerPolicy.Close"/> it is closed.</summary>
    private async ValueTask PauseWhileOverLimitAsync()
    {
        if (Live.SlowConsumer == SlowConsumerPolicy.Close) Live.Overflow();
        else await Live.WaitForSpaceAsync(_transport!.Aborted).ConfigureAwait(false);
    }

    /// <summary>What acting on one event came to: the connection reads on, is done reading, or is to wait
    /// for the rest (<see cref="Pending"/>: the pending task then says which of the two).</summary>
    private enum Dispatched { ReadOn, Ended, Pending }

    /// <summary>Acts on one event: a whole message as <see cref="DispatchMessage"/> does; on a streaming route a
    /// message's parts (its last comes as a message), and control frames, with the turn given back first.</summary>
    private Dispatched Dispatch(in ProtocolEvent evt, out ValueTask<bool> pending)
    {
        if (evt.Kind == ProtocolEventKind.Message && !_route!.StreamMessages)
            return DispatchMessage(evt.MessageKind, evt.Payload, out pending);
        _connection!.Calls.GiveBackKeptTurn();
        bool part = evt.Kind is ProtocolEventKind.Message or ProtocolEventKind.MessagePart;
        return Settle(part ? DispatchPartAsync(evt) : DispatchOtherAsync(evt), out pending);
    }

    /// <summary>Acts on one whole message, on a route that does not stream them (a streaming route's session reads
    /// no small message on its own: its messages come in parts, through <see cref="Dispatch"/>). A message whose
    /// handler answers at once costs no async frame here and hands back no task (this runs per message). Whole
    /// messages are handed over in the turn the loop takes at a read's first message and keeps to its last
    /// (<see cref="HandlerCalls.DeliverKeepingTurnAsync"/>); every other path gives it back first, then takes the
    /// turn for itself or hands the call to run beside the loop.</summary>
    private Dispatched DispatchMessage(MessageKind kind, ReadOnlyMemory<byte> payload, out ValueTask<bool> pending)
    {
        pending = default;
        _server.Metrics.MessageReceived();
        // After our close frame, the handler has said its last word: data is read and dropped.
        if (!Live.IsOpen) return Dispatched.ReadOn;
        var message = new WebSocketMessage(TypeOf(kind), payload);
        if (_connection!.RateLimiter?.TryTakeAll(1, payload.Length) is { } shortOf)
        {
            _connection.Calls.GiveBackKeptTurn();
            return Settle(DeliverWithinRateAsync(shortOf, message), out pending);
        }
        ValueTask delivered = _connection.Calls.DeliverKeepingTurnAsync(message);
        if (!delivered.IsCompletedSuccessfully) return Settle(NotEndedOnceDoneAsync(delivered), out pending);
        delivered.GetAwaiter().GetResult();
        return Dispatched.ReadOn;
    }

    // What an asynchronous path's task says: done already (read on, or ended), or pending, handed back to await.
    private static Dispatched Settle(ValueTask<bool> dispatching, out ValueTask<bool> pending)
    {
        pending = default;
        if (!dispatching.IsCompletedSuccessfully)
        {
            pending = dispatching;
            return Dispatched.Pending;
        }
        return dispatching.Result ? Dispatched.Ended : Dispatched.ReadOn;
    }

    /// <summary>A message over the connection's rate limit: dropped, or delivered once the buckets refill.</summary>
    private async ValueTask<bool> DeliverWithinRateAsync(InboundLimiter shortOf, WebSocketMessage message)
    {
        if (await WithinRateAsync(shortOf, 1, message.Payload.Length).ConfigureAwait(false))
            await _connection!.Calls.DeliverAsync(message).ConfigureAwait(false);
        return false;
    }

    /// <summary>What a message (or a streamed part) over a rate limit meets: under <see cref="RateLimitExcess.Close"/>
    /// the connection is closed with 1008 (false: drop it); under <see cref="RateLimitExcess.Pause"/> the loop waits,
    /// reading nothing, until the short limit's buckets refill (true: go on).</summary>
    private async ValueTask<bool> WithinRateAsync(InboundLimiter shortOf, int messages, int bytes)
    {
        if (shortOf.Excess == RateLimitExcess.Close)
        {
            _connection!.Close(WsServer.Protocol.Closing.CloseCode.PolicyViolation, "rate limit exceeded");
            return false;
        }
        Live.Flush(); // what this read answered goes out while the connection waits
        await shortOf.TakeAsync(messages, bytes, _transport!.Aborted).ConfigureAwait(false);
        return true;
    }

    private static MessageType TypeOf(MessageKind kind) => kind == MessageKind.Text ? MessageType.Text : MessageType.Binary;

    private static async ValueTask<bool> NotEndedOnceDoneAsync(ValueTask delivered)
    {
        await delivered.ConfigureAwait(false);
        return false;
    }

    /// <summary>A part of a message on a streaming route: the first starts the handler's call, each is pushed
    /// to it (waiting while the handler has not read enough: back-pressure to the socket), and the last waits
    /// for the call to end, so messages still reach the handler one at a time.</summary>
    private async ValueTask<bool> DispatchPartAsync(ProtocolEvent evt)
    {
        IncomingStream incoming = _incoming ??= new IncomingStream();
        bool first = !incoming.IsReceiving;
        // After our close frame, the handler has said its last word: data is read and dropped.
        if (first && !Live.IsOpen) return false;
        if (_connection!.RateLimiter?.TryTakeAll(first ? 1 : 0, evt.Payload.Length) is { } shortOf
            && !await WithinRateAsync(shortOf, first ? 1 : 0, evt.Payload.Length).ConfigureAwait(false))
        {
            incoming.Abort(); // a message already begun: its reader must not wait for the rest
            return false;
        }
        if (first)
        {
            _server.Metrics.MessageReceived();
            // The call starts before the first part is pushed, so no push can wait for a handler not yet called.
            incoming.Calling(_connection!.Calls.DeliverAsync(incoming.Begin(TypeOf(evt.MessageKind)), defer: false));
        }
        ValueTask pushing = incoming.PushAsync(evt.Payload, _transport!.Aborted);
        if (!pushing.IsCompleted)
        {
            Live.Flush(); // the pongs of this read go out while the handler catches up
            await pushing.ConfigureAwait(false);
        }
        if (evt.Kind == ProtocolEventKind.Message) await incoming.EndAsync().ConfigureAwait(false);
        return false;
    }

    private async ValueTask<bool> DispatchOtherAsync(ProtocolEvent evt)
    {
        switch (evt.Kind)
        {
            case ProtocolEventKind.Ping or ProtocolEventKind.Pong:
                if (evt.Kind == ProtocolEventKind.Pong) _connection!.Liveness.OnPong(evt.Payload.Span);
                // During a streamed message the handler's call holds the turn: a ping waiting for it would stall.
                if (_route!.DeliverControlFrames && Live.IsOpen && _incoming is not { IsReceiving: true })
                {
                    var control = evt.Kind == ProtocolEventKind.Ping ? MessageType.Ping : MessageType.Pong;
                    await _connection!.Calls.DeliverAsync(new WebSocketMessage(control, evt.Payload)).ConfigureAwait(false);
                }
                return false;
            case ProtocolEventKind.Close:
                _incoming?.Abort(); // a streamed message cut by the close: its reader must not wait for the rest
                if (_route!.DeliverControlFrames)
                {
                    // The payload is the status code (2 bytes, when present) and the reason: hand on the reason.
                    ReadOnlyMemory<byte> reason = evt.CloseCode is null ? default : evt.Payload[2..];
                    var close = new WebSocketMessage(MessageType.Close, reason, evt.CloseCode);
                    await _connection!.Calls.DeliverAsync(close).ConfigureAwait(false);
                }
                return true;
            case ProtocolEventKind.Violation:
                Log.ProtocolViolation(_server.Logger, _connection!.Id, evt.CloseCode!.Value, evt.CloseReason ?? "");
                return true;
            default:
                throw new System.Diagnostics.UnreachableException($"Unknown protocol event {evt.Kind}.");
        }
    }
}
