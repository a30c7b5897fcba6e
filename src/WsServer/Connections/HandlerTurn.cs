namespace WsServer.Connections;

/// <summary>
/// Whose turn it is to call the connection's handler: the session loop (a message) or the mailbox
/// (a posted item, a keep-alive tick). Holding the turn is what makes handler calls for one connection
/// never overlap, like the one thread of control of an Erlang process. Two parties at most, so one
/// waiter at most; taking a free turn is a short lock and allocates nothing.
/// </summary>
internal sealed class HandlerTurn
{
    private readonly Lock _gate = new();
    private bool _held;
    private TaskCompletionSource? _waiter;

    /// <summary>Completes when the caller holds the turn.</summary>
    public ValueTask EnterAsync()
    {
        lock (_gate)
        {
            if (!_held)
            {
                _held = true;
                return ValueTask.CompletedTask;
            }
            _waiter = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            return new ValueTask(_waiter.Task);
        }
    }

    /// <summary>Gives the turn to the waiter, if any, or frees it.</summary>
    public void Exit()
    {
        TaskCompletionSource? next;
        lock (_gate)
        {
            next = _waiter;
            _waiter = null;
            if (next is null) _held = false;
        }
        next?.SetResult();
    }
}
