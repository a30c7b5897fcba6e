namespace WsServer.Connections;

/// <summary>
/// Whose turn it is to call the connection's handler: the session loop (a message) or the mailbox
/// (a posted item, a keep-alive tick). Holding the turn is what makes handler calls for one connection
/// never overlap, like the one thread of control of an Erlang process. Taking a free turn and giving
/// back an uncontested one is one atomic exchange each (the session loop does both once per read); the lock and
/// the queue of waiters are only for handing the turn on, in arrival order.
/// </summary>
/// <remarks>The queue of waiters is its own lock, and is created by the first contention: a connection
/// whose turn was never contested holds neither. Not sealed: a connection's <see cref="Mailbox"/> (its <see cref="HandlerCalls"/>) is its turn.</remarks>
internal class HandlerTurn
{
    private const int Free = 0, Held = 1, HeldAndAwaited = 2;

    private int _state;
    private Queue<TaskCompletionSource>? _waiters; // never replaced once created

    /// <summary>Completes when the caller holds the turn.</summary>
    public ValueTask EnterAsync()
    {
        if (Interlocked.CompareExchange(ref _state, Held, Free) == Free) return ValueTask.CompletedTask;
        Queue<TaskCompletionSource> waiters = LazyInitializer.EnsureInitialized(ref _waiters);
        lock (waiters)
        {
            while (true)
            {
                if (Interlocked.CompareExchange(ref _state, Held, Free) == Free) return ValueTask.CompletedTask;
                // Once HeldAndAwaited, only Exit changes the state, and only under this lock.
                if (Volatile.Read(ref _state) == HeldAndAwaited
                    || Interlocked.CompareExchange(ref _state, HeldAndAwaited, Held) == Held)
                {
                    var waiter = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                    waiters.Enqueue(waiter);
                    return new ValueTask(waiter.Task);
                }
            }
        }
    }

    /// <summary>True while someone waits for the turn: a holder that means to keep it should hand it on first.</summary>
    public bool IsAwaited => Volatile.Read(ref _state) == HeldAndAwaited;

    /// <summary>Gives the turn to the waiter, if any, or frees it.</summary>
    public void Exit()
    {
        if (Interlocked.CompareExchange(ref _state, Free, Held) == Held) return;
        TaskCompletionSource next;
        // HeldAndAwaited: a waiter enqueued, so the queue exists.
        Queue<TaskCompletionSource> waiters = _waiters!;
        lock (waiters)
        {
            next = waiters.Dequeue();
            // Handed over: the waiter holds it now, with others still waiting or not.
            if (waiters.Count == 0) Volatile.Write(ref _state, Held);
        }
        next.SetResult();
    }
}
