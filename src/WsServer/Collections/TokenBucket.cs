namespace WsServer.Collections;

/// <summary>
/// A token bucket refilled by its owner's clock: <see cref="Refill"/> adds a second's tokens, up to the limit.
/// System.Threading.RateLimiting's token bucket refills by the Stopwatch even when told not to replenish on its
/// own, so it could run neither on the server's <c>TimeProvider</c> nor on a test's fake clock; this one holds a
/// count and its waiters, first come first served, under a lock.
/// </summary>
internal sealed class TokenBucket(int perRefill, int limit)
{
    private readonly Lock _gate = new();
    private long _tokens = limit;
    private readonly Queue<(int Wanted, TaskCompletionSource Ready)> _waiters = new();

    /// <summary>True when the bucket is full and nobody waits: nothing was taken since it last filled.</summary>
    public bool IsFull
    {
        get { lock (_gate) return _tokens >= limit && _waiters.Count == 0; }
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
            if (_waiters.Count == 0 && _tokens >= count)
            {
                _tokens -= count;
                return Task.CompletedTask;
            }
            var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Enqueue((count, ready));
            return ready.Task.WaitAsync(cancellationToken);
        }
    }

    /// <summary>Adds a refill's tokens, up to the limit, and hands the waiters, in order, what they wait for while
    /// there is enough.</summary>
    public void Refill()
    {
        List<TaskCompletionSource>? ready = null;
        lock (_gate)
        {
            _tokens = Math.Min(limit, _tokens + perRefill);
            while (_waiters.TryPeek(out (int Wanted, TaskCompletionSource Ready) first) && _tokens >= first.Wanted)
            {
                _tokens -= first.Wanted;
                (ready ??= []).Add(_waiters.Dequeue().Ready);
            }
        }
        ready?.ForEach(r => r.TrySetResult());
    }
}
