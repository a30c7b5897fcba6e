namespace WsServer.Collections;

/// <summary>
/// A token bucket refilled by its owner's clock: <see cref="Refill"/> adds a second's tokens, up to the limit.
/// System.Threading.RateLimiting's token bucket refills by the Stopwatch even when told not to replenish on its
/// own, so it could run neither on the server's <c>TimeProvider</c> nor on a test's fake clock; this one holds a
/// count under a lock and at most one waiter (a connection's session loop).
/// </summary>
internal sealed class TokenBucket(int perRefill, int limit)
{
    private readonly Lock _gate = new();
    private long _tokens = limit;
    private TaskCompletionSource? _waiter;
    private int _wanted;

    /// <summary>True when the bucket is full: nothing was taken since it last filled.</summary>
    public bool IsFull
    {
        get { lock (_gate) return _tokens >= limit; }
    }

    /// <summary>Takes <paramref name="count"/> tokens (at most the limit: more could never be had) now; false when short.</summary>
    public bool TryTake(int count)
    {
        count = Math.Min(count, limit);
        lock (_gate)
        {
            if (_tokens < count) return false;
            _tokens -= count;
            return true;
        }
    }

    /// <summary>Takes <paramref name="count"/> tokens once a refill brings them.</summary>
    public Task TakeAsync(int count, CancellationToken cancellationToken)
    {
        count = Math.Min(count, limit);
        lock (_gate)
        {
            if (_tokens >= count)
            {
                _tokens -= count;
                return Task.CompletedTask;
            }
            _wanted = count;
            _waiter = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            return _waiter.Task.WaitAsync(cancellationToken);
        }
    }

    /// <summary>Adds a refill's tokens, up to the limit, and hands the waiter what it waits for when they are there.</summary>
    public void Refill()
    {
        TaskCompletionSource? ready = null;
        lock (_gate)
        {
            _tokens = Math.Min(limit, _tokens + perRefill);
            if (_waiter is not null && _tokens >= _wanted)
            {
                _tokens -= _wanted;
                ready = _waiter;
                _waiter = null;
            }
        }
        ready?.TrySetResult();
    }
}
