using WsServer.Transport;

namespace WsServer.Connections;

/// <summary>
/// The one deadline of a connection's end: armed when this side queues its close frame (the peer has
/// the close timeout to answer) or when the session stops reading (our last frames, the FIN and the
/// peer's FIN have the close timeout to go through). Whichever comes first starts it; when it passes,
/// the transport is cut. No timer exists before it is armed.
/// </summary>
internal sealed class CloseDeadline(TimeProvider time, TimeSpan timeout, OpenTransport transport) : IDisposable
{
    private readonly Lock _gate = new();
    private ITimer? _timer;
    private bool _disposed;

    public void Arm()
    {
        lock (_gate)
        {
            if (_timer is not null || _disposed) return;
            _timer = time.CreateTimer(static t => ((OpenTransport)t!).Abort(), transport, timeout, Timeout.InfiniteTimeSpan);
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _disposed = true;
            _timer?.Dispose();
        }
    }
}
