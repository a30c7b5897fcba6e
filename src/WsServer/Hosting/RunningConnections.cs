namespace WsServer.Hosting;

/// <summary>How many accepted connections are still being served, and a task for when none is: what a
/// stop waits for. A count, not a set of tasks, so a connection costs the server nothing to track.</summary>
internal sealed class RunningConnections
{
    private readonly Lock _gate = new();
    private int _count;
    private TaskCompletionSource? _allFinished;

    public int Count
    {
        get { lock (_gate) return _count; }
    }

    public void Started()
    {
        lock (_gate) _count++;
    }

    public void Finished()
    {
        TaskCompletionSource? waiter = null;
        lock (_gate)
        {
            if (--_count == 0)
            {
                waiter = _allFinished;
                _allFinished = null;
            }
        }
        waiter?.TrySetResult();
    }

    /// <summary>Completes when no connection is being served.</summary>
    public Task AllFinishedAsync()
    {
        lock (_gate)
        {
            if (_count == 0) return Task.CompletedTask;
            _allFinished ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            return _allFinished.Task;
        }
    }
}
