using System.Threading.Tasks.Sources;

namespace WsServer.Transport.Epoll;

/// <summary>
/// One direction of an epoll socket (readable or writable), edge-triggered: the loop signals each edge;
/// the reader (or writer) arms before every attempt and, when the attempt would block, waits. An edge
/// between the arming and the wait is not lost: the wait then returns at once, and the attempt is
/// made again. One waiter at a time, awaited without a <see cref="Task"/>.
/// </summary>
internal sealed class Readiness : IValueTaskSource
{
    private const int Idle = 0, Waiting = 1, Ready = 2;

    private ManualResetValueTaskSourceCore<bool> _core;
    private int _state = Ready; // unknown at the start: the first attempt is made
    private Exception? _fault;
    private volatile bool _lasting; // the peer's FIN, a reset or an error: ready from now on, whatever was armed
    private CancellationTokenRegistration _cancellation;
    private readonly bool _inline;
    private IThreadPoolWorkItem? _parked;
    private static readonly Action<object?> s_unpark = Unpark;

    /// <param name="inline">Run the waiter's continuation on the loop's thread (no hop to the pool).</param>
    public Readiness(bool inline) => _inline = inline;

    /// <summary>Before an attempt: from here on an edge is remembered.</summary>
    public void Arm() => Volatile.Write(ref _state, Idle);

    /// <summary>True when an edge came since the last <see cref="Arm"/> (or nothing is known yet).</summary>
    public bool MayBeReady => _lasting || Volatile.Read(ref _state) == Ready;

    /// <summary>After an attempt that would block: completes at the next edge, or at once when one came
    /// since <see cref="Arm"/>; throws what <see cref="Fail"/> was given, or when <paramref name="cancellation"/> ends it.</summary>
    public ValueTask WaitAsync(CancellationToken cancellation = default)
    {
        if (_fault is not null) return ValueTask.FromException(_fault);
        if (_lasting) return ValueTask.CompletedTask;
        _core.Reset();
        _core.RunContinuationsAsynchronously = !_inline;
        if (Interlocked.CompareExchange(ref _state, Waiting, Idle) != Idle) return ValueTask.CompletedTask;
        if (cancellation.CanBeCanceled)
            _cancellation = cancellation.UnsafeRegister(static (s, token) => ((Readiness)s!).Cancel(token), this);
        return new ValueTask(this, _core.Version);
    }

    /// <summary>After an attempt that would block, instead of a wait: has <paramref name="resume"/> run at
    /// the next edge (on the loop's thread when inline, else queued to the pool as itself, allocating
    /// nothing), so that nothing waits meanwhile (no async frame is held while the socket is quiet). False
    /// when an edge came since <see cref="Arm"/>: try again now. Throws what <see cref="Fail"/> was given.</summary>
    public bool TryPark(IThreadPoolWorkItem resume)
    {
        if (_fault is not null) throw _fault;
        if (_lasting) return false;
        _core.Reset();
        // Unpark runs on whoever completes the core, and decides where resume runs.
        _core.RunContinuationsAsynchronously = false;
        if (Interlocked.CompareExchange(ref _state, Waiting, Idle) != Idle) return false;
        _parked = resume;
        // An edge between the exchange and this call has completed the core already: it then queues Unpark itself.
        _core.OnCompleted(s_unpark, this, _core.Version, ValueTaskSourceOnCompletedFlags.None);
        return true;
    }

    private static void Unpark(object? state)
    {
        var readiness = (Readiness)state!;
        IThreadPoolWorkItem resume = readiness._parked!;
        readiness._parked = null;
        if (readiness._inline) resume.Execute();
        else ThreadPool.UnsafeQueueUserWorkItem(resume, preferLocal: false);
    }

    /// <summary>An edge (from the loop's thread); <paramref name="lasting"/> for one that stays true (a
    /// FIN: a receive that got the bytes before it does not yet see it, and no other edge will come).</summary>
    public void Signal(bool lasting = false)
    {
        if (lasting) _lasting = true;
        if (Interlocked.Exchange(ref _state, Ready) == Waiting) _core.SetResult(true);
    }

    /// <summary>Ends the wait, and every later one, with <paramref name="fault"/> (the socket was cut), on
    /// the thread pool: the caller may hold locks a continuation must not run under.</summary>
    public void Fail(Exception fault)
    {
        Interlocked.CompareExchange(ref _fault, fault, null);
        if (Interlocked.Exchange(ref _state, Ready) == Waiting)
            ThreadPool.UnsafeQueueUserWorkItem(static r => r._core.SetException(r._fault!), this, preferLocal: false);
    }

    // Ends this wait only (a late cancellation after an edge ended it changes nothing), on the thread pool.
    private void Cancel(CancellationToken token)
    {
        if (Interlocked.CompareExchange(ref _state, Ready, Waiting) == Waiting)
            ThreadPool.UnsafeQueueUserWorkItem(static s => s.Core._core.SetException(new OperationCanceledException(s.Token)),
                (Core: this, Token: token), preferLocal: false);
    }

    void IValueTaskSource.GetResult(short token)
    {
        _cancellation.Dispose();
        _cancellation = default;
        _core.GetResult(token);
    }

    ValueTaskSourceStatus IValueTaskSource.GetStatus(short token) => _core.GetStatus(token);

    void IValueTaskSource.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _core.OnCompleted(continuation, state, token, flags);
}
