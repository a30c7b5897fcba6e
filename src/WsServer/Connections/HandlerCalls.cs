using System.Diagnostics;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using WsServer.Diagnostics;
using WsServer.Protocol.Messages;

namespace WsServer.Connections;

/// <summary>
/// Every call into a connection's handler, each in the connection's turn, and what is done with its
/// result. A handler that throws closes its own connection with 1011 (logged; the peer learns only that
/// the server failed), and the call's caller goes on: one bad call harms nothing else. The calls are
/// the connection's <see cref="Mailbox"/> and <see cref="HandlerTurn"/> too, so a connection carries no separate
/// object for either.
/// </summary>
internal sealed class HandlerCalls(HandlerSession handler, LiveSession live, ILogger logger, ServerInstruments metrics,
    long connectionId, CancellationToken aborted, ActivityContext traced = default) : Mailbox
{
    // Boxed, and only when calls are traced: an ActivityContext is some 56 bytes every connection would carry.
    private readonly StrongBox<ActivityContext>? _traced = traced == default ? null : new(traced);
    private bool _turnKept; // by the session loop, from one message of a read to the next

    /// <summary>Runs init; false when it threw (the connection is then closing with 1011) or was cut.</summary>
    public async ValueTask<bool> InitAsync(WebSocketConnection connection)
    {
        await EnterAsync().ConfigureAwait(false);
        try
        {
            await handler.InitAsync(connection, aborted).ConfigureAwait(false);
            return true;
        }
        catch (Exception ex) when (!IsOurCancellation(ex))
        {
            Fail(ex);
            return false;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
        finally
        {
            Exit();
        }
    }

    /// <summary>Hands one message to the handler and carries out its result (the session loop's; its
    /// replies are deferred to the loop's flush, unless <paramref name="defer"/> is false: a streamed
    /// message's call runs beside the loop, which may be parked when it returns). Per message: when the turn
    /// is free and the handler answers at once, no async frame is made.</summary>
    public ValueTask DeliverAsync(WebSocketMessage message, bool defer = true) => EnterAndCall(message, defer, keepTurn: false);

    /// <summary>As <see cref="DeliverAsync"/>, for the session loop, which takes the turn once for all the
    /// messages of a read: the turn is kept after the call, for the next message, until
    /// <see cref="GiveBackKeptTurn"/>. A posted item waiting for it goes first, as it would between two reads.</summary>
    public ValueTask DeliverKeepingTurnAsync(WebSocketMessage message)
    {
        if (_turnKept && IsAwaited) GiveBackKeptTurn();
        return _turnKept ? CallInTurn(message, defer: true, keepTurn: true) : EnterAndCall(message, defer: true, keepTurn: true);
    }

    /// <summary>Gives back the turn <see cref="DeliverKeepingTurnAsync"/> kept, if it keeps one.</summary>
    public void GiveBackKeptTurn()
    {
        if (!_turnKept) return;
        _turnKept = false;
        Exit();
    }

    private ValueTask EnterAndCall(WebSocketMessage message, bool defer, bool keepTurn)
    {
        ValueTask entered = EnterAsync();
        if (!entered.IsCompletedSuccessfully) return CallOnceEnteredAsync(entered, message, defer, keepTurn);
        if (keepTurn) _turnKept = true;
        return CallInTurn(message, defer, keepTurn);
    }

    private async ValueTask CallOnceEnteredAsync(ValueTask entered, WebSocketMessage message, bool defer, bool keepTurn)
    {
        await entered.ConfigureAwait(false);
        if (keepTurn) _turnKept = true;
        await CallInTurn(message, defer, keepTurn).ConfigureAwait(false);
    }

    // In the turn, and gives it back when the call and its result are done, unless the caller keeps it.
    private ValueTask CallInTurn(WebSocketMessage message, bool defer, bool keepTurn)
    {
        bool done = true;
        // With ServerOptions.TraceHandlerCalls, a span per call, current for the handler only.
        Activity? outer = null;
        Activity? span = _traced is null ? null : StartSpan(out outer);
        try
        {
            long calledAt = metrics.HandlerCalled();
            ValueTask<HandleResult> pending = handler.HandleAsync(message, aborted);
            if (!pending.IsCompletedSuccessfully)
            {
                done = false;
                if (span is not null) Activity.Current = outer; // the call's continuation keeps it; the loop goes on without
                return CompleteCallAsync(pending, calledAt, defer, span, keepTurn);
            }
            metrics.HandlerReturned(calledAt);
            HandleResult result = pending.Result;
            if (TryApply(in result, defer)) return default;
            done = false;
            // A reply that must wait for room: the asynchronous ending, with the result already there.
            if (span is not null) Activity.Current = outer;
            return CompleteCallAsync(new ValueTask<HandleResult>(result), calledAt: 0, defer, span, keepTurn);
        }
        catch (Exception ex) when (!IsOurCancellation(ex))
        {
            span?.SetStatus(ActivityStatusCode.Error, ex.GetType().Name);
            Fail(ex);
            return default;
        }
        finally
        {
            if (done)
            {
                span?.Dispose();
                if (!keepTurn) Exit();
            }
        }
    }

    // Out of line: the per-message call, inlined into the loop, keeps no copy of the trace context in its frame.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private Activity? StartSpan(out Activity? outer)
    {
        outer = Activity.Current;
        return ServerTracing.StartHandlerCall("message", connectionId, _traced!.Value);
    }

    // calledAt 0: the handler's return was counted already (or nobody listens).
    private async ValueTask CompleteCallAsync(ValueTask<HandleResult> pending, long calledAt, bool defer, Activity? span, bool keepTurn)
    {
        try
        {
            // The handler went asynchronous, or its reply waits for room: replies already queued go out meanwhile.
            live.Flush();
            HandleResult result = await pending.ConfigureAwait(false);
            metrics.HandlerReturned(calledAt);
            await ApplyAsync(result, defer).ConfigureAwait(false);
        }
        catch (Exception ex) when (!IsOurCancellation(ex))
        {
            span?.SetStatus(ActivityStatusCode.Error, ex.GetType().Name);
            Fail(ex);
        }
        finally
        {
            span?.Dispose();
            if (!keepTurn) Exit();
        }
    }

    /// <summary>Hands a posted item to the handler; the caller holds the turn.</summary>
    public async ValueTask DeliverItemAsync(object? item)
    {
        try
        {
            long calledAt = metrics.HandlerCalled();
            HandleResult result = await handler.HandleInfoAsync(item, aborted).ConfigureAwait(false);
            metrics.HandlerReturned(calledAt);
            await ApplyAsync(result, defer: false).ConfigureAwait(false);
        }
        catch (Exception ex) when (!IsOurCancellation(ex))
        {
            Fail(ex);
        }
    }

    /// <summary>Tells the handler how the connection ended, in its turn, once.</summary>
    public async ValueTask ClosedAsync(ConnectionClosed closed, CancellationToken cancellationToken)
    {
        await EnterAsync().ConfigureAwait(false);
        try
        {
            await handler.ClosedAsync(closed, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            Log.ClosedCallbackFailed(logger, connectionId, ex);
        }
        finally
        {
            Exit();
        }
    }

    private void Fail(Exception ex)
    {
        // A streamed message cut by the peer's going away ends its reader: the peer's doing, not a handler bug.
        if (ex is MessageCutException) Log.HandlerReadCut(logger, connectionId);
        else Log.HandlerFailed(logger, connectionId, ex);
        live.Fail(ex);
    }

    /// <summary>Carries out a result, in order with everything already queued, once the queue has room.</summary>
    private async ValueTask ApplyAsync(HandleResult result, bool defer)
    {
        if (TryApply(in result, defer)) return;
        Task space = live.WaitForSpaceAsync(aborted);
        if (!space.IsCompleted)
        {
            if (defer) live.Flush(); // deferred replies count against the limit: they must be being written
            await space.ConfigureAwait(false);
        }
        Send(result, ignoreLimit: true, defer);
    }

    /// <summary>Carries out a result now; false, having done nothing, for a reply that must wait for room.</summary>
    private bool TryApply(in HandleResult result, bool defer)
    {
        switch (result.Action)
        {
            case HandleAction.NoReply:
                return true;
            case HandleAction.Reply:
                // Back-pressure: while the peer is not reading, stop reading from it too. Under the
                // other policies a full queue drops the reply or closes the connection.
                bool wait = live.SlowConsumer == SlowConsumerPolicy.Wait;
                // The snapshot spares the gate in the usual case; a full queue is checked again under it.
                if (wait && live.IsOverLimit) return false;
                Send(in result, ignoreLimit: wait, defer);
                return true;
            default:
                ApplyOther(in result, defer);
                return true;
        }
    }

    // Out of line: every path of the per-message call that is inlined into the loop adds to the frame it clears per message.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private void ApplyOther(in HandleResult result, bool defer)
    {
        switch (result.Action)
        {
            case HandleAction.Ping or HandleAction.Pong:
                live.SendControl(result.Action == HandleAction.Ping, result.Data.Span, defer);
                break;
            case HandleAction.Close:
                live.Close(result.CloseCode, result.CloseReason);
                break;
            default:
                throw new System.Diagnostics.UnreachableException($"Unknown handler action {result.Action}.");
        }
    }

    private void Send(in HandleResult result, bool ignoreLimit, bool defer)
    {
        if (result.Text is { } text) live.SendText(text, ignoreLimit, defer);
        else live.Send(result.IsText ? MessageKind.Text : MessageKind.Binary, result.Data.Span, ignoreLimit, defer);
    }

    private bool IsOurCancellation(Exception ex) => ex is OperationCanceledException && aborted.IsCancellationRequested;
}
