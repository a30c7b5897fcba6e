using WsServer.Transport;

namespace WsServer.Connections;

/// <summary>What arms a connection's close deadline (its runner, which holds the <see cref="CloseDeadline"/>).</summary>
internal interface ICloseDeadline
{
    void Arm();
}

/// <summary>
/// The one deadline of a connection's end: armed when this side queues its close frame (the peer has
/// the close timeout to answer) or when the session stops reading (our last frames, the FIN and the
/// peer's FIN have the close timeout to go through). Whichever comes first starts it; when it passes,
/// the transport is cut. No timer exists before it is armed.
/// </summary>
/// <remarks>A struct in its owner's object, so a connection carries no object for it, and lock-free, so an
/// idle connection holds no lock for it: the timer field goes from null to the one timer, or to
/// <see cref="Spent"/> once disposed; an arm that loses the race disposes the timer it made. Used in place,
/// never copied.</remarks>
internal struct CloseDeadline
{
    // Never fires: only marks the deadline as disposed.
    private static readonly ITimer Spent = TimeProvider.System.CreateTimer(static _ => { }, null,
        Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);

    private ITimer? _timer;

    public void Arm(TimeProvider time, TimeSpan timeout, ConnectionTransport transport)
    {
        if (Volatile.Read(ref _timer) is not null) return;
        ITimer timer = time.CreateTimer(static t => ((ConnectionTransport)t!).Abort(), transport, timeout, Timeout.InfiniteTimeSpan);
        if (Interlocked.CompareExchange(ref _timer, timer, null) is not null) timer.Dispose();
    }

    public void Dispose()
    {
        ITimer? timer = Interlocked.Exchange(ref _timer, Spent);
        if (!ReferenceEquals(timer, Spent)) timer?.Dispose();
    }
}
