using System.IO.Pipelines;
using System.Runtime.ExceptionServices;

namespace WsServer.Transport;

/// <summary>
/// A connection's input: a <see cref="PipeReader"/> that can also park. The session reads what is there
/// now (<see cref="TryReceive"/>); when nothing is, it leaves a work item to run once bytes (or the end)
/// arrive (<see cref="TryParkUntilReadable"/>) and returns, so a quiet connection holds no async frame.
/// By default a park is a read left pending; an epoll socket parks on its loop's next edge instead.
/// </summary>
internal abstract class TransportInput : PipeReader
{
    private PendingRead? _pending; // made at the first park of an input that parks on a pending read

    /// <summary>What is buffered, or can be had now without waiting; false when there is nothing.</summary>
    public virtual bool TryReceive(out ReadResult result) =>
        _pending is { } pending && pending.TryTake(out result) || TryRead(out result);

    /// <summary>False only when the peer is known to have sent nothing since the last receive (an epoll socket that
    /// saw no edge since a receive emptied it); true when that is not known.</summary>
    public virtual bool MayHaveMore => true;

    /// <summary>After <see cref="TryReceive"/> found nothing: <paramref name="resume"/> runs once there is
    /// something to receive, and nothing waits meanwhile; false when there is something already.</summary>
    public virtual bool TryParkUntilReadable(IThreadPoolWorkItem resume) => (_pending ??= new PendingRead(this)).TryPark(resume);

    /// <summary>A park as a read left pending, and what it gave once it finished. Its own object: an input that
    /// parks another way (an epoll socket, on its loop's next edge) carries none of this while it is quiet.</summary>
    private sealed class PendingRead(TransportInput input)
    {
        private ValueTask<ReadResult> _read;
        private IThreadPoolWorkItem? _resume;
        private Action? _onRead;
        private bool _hasReceived;
        private ReadResult _received;
        private ExceptionDispatchInfo? _fault;

        /// <summary>What the last pending read gave (its failure is thrown); false when nothing is kept.</summary>
        public bool TryTake(out ReadResult result)
        {
            if (_fault is { } fault)
            {
                _fault = null;
                fault.Throw();
            }
            result = _received;
            if (!_hasReceived) return false;
            _hasReceived = false;
            _received = default;
            return true;
        }

        public bool TryPark(IThreadPoolWorkItem resume)
        {
            ValueTask<ReadResult> read = input.ReadAsync();
            if (read.IsCompleted)
            {
                Keep(read);
                return false;
            }
            _read = read;
            _resume = resume;
            read.ConfigureAwait(false).GetAwaiter().UnsafeOnCompleted(_onRead ??= OnRead);
            return true;
        }

        // On the thread that completed the read: no hop before the session serves it.
        private void OnRead()
        {
            ValueTask<ReadResult> read = _read;
            IThreadPoolWorkItem resume = _resume!;
            _read = default;
            _resume = null;
            Keep(read);
            resume.Execute();
        }

        // What a finished read gave, for the next TryReceive: its result, or its failure to rethrow there.
        private void Keep(ValueTask<ReadResult> read)
        {
            try
            {
                _received = read.GetAwaiter().GetResult();
                _hasReceived = true;
            }
            catch (Exception ex)
            {
                _fault = ExceptionDispatchInfo.Capture(ex);
            }
        }
    }
}
