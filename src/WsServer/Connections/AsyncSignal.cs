using System.Threading.Tasks.Sources;

namespace WsServer.Connections;

/// <summary>An auto-reset signal with one waiter that allocates nothing per wait: the send pump
/// of every connection sleeps on one, so it must cost no garbage per wake-up.</summary>
internal sealed class AsyncSignal : IValueTaskSource
{
    private ManualResetValueTaskSourceCore<bool> _core = new() { RunContinuationsAsynchronously = true };
    private readonly Lock _gate = new();
    private bool _set;
    private bool _waiting;

    /// <summary>Completes the pending wait, or lets the next one complete at once.</summary>
    public void Set()
    {
        lock (_gate)
        {
            if (!_waiting)
            {
                _set = true;
                return;
            }
            _waiting = false;
        }
        _core.SetResult(true);
    }

    /// <summary>Waits until <see cref="Set"/> is called; one waiter at a time.</summary>
    public ValueTask WaitAsync()
    {
        lock (_gate)
        {
            if (_set)
            {
                _set = false;
                return ValueTask.CompletedTask;
            }
            _core.Reset();
            _waiting = true;
            return new ValueTask(this, _core.Version);
        }
    }

    void IValueTaskSource.GetResult(short token) => _core.GetResult(token);

    ValueTaskSourceStatus IValueTaskSource.GetStatus(short token) => _core.GetStatus(token);

    void IValueTaskSource.OnCompleted(Action<object?> continuation, object? state, short token,
        ValueTaskSourceOnCompletedFlags flags) => _core.OnCompleted(continuation, state, token, flags);
}
