using System.Buffers;
using System.Runtime.CompilerServices;
using WsServer.Diagnostics;
using WsServer.Protocol.Session;
using WsServer.Transport;

namespace WsServer.Connections;

/// <summary>
/// The bytes waiting for the peer, in order, and their one writer. It holds bytes and nothing else:
/// every frame in it was encoded by the connection's <see cref="ProtocolSession"/>, which writes straight
/// into it (it is the session's <see cref="IBufferWriter{T}"/>) under the connection's gate, the same lock
/// that guards this queue. One writer at a time: the session loop writes its replies itself, other
/// senders have a thread-pool work item write theirs; a write under way takes, when done, whatever
/// queued meanwhile, in one send. The writer takes the gate only to take a batch. A frame shared with
/// other connections (a broadcast) is queued by reference, not copied. An empty outbox holds no buffer
/// and no list: a write of one segment, the common case, needs none (see <see cref="SegmentQueue"/>).
/// </summary>
internal sealed class Outbox : IBufferWriter<byte>, IThreadPoolWorkItem
{
    // The first segment of a batch is small, so a quiet connection (or one of thousands receiving the
    // same broadcast) does not pin a large array while its frame waits; a burst doubles up to the cap.
    private const int FirstSegmentSize = SegmentPool.SmallestSize;
    private const int SegmentSize = SegmentPool.LargestSize;

    private readonly LiveSession _owner;
    private readonly Lock _gate;
    private TaskCompletionSource? _finished; // see LazyCompletion
    private IBatchWriter? _transport;
    private bool _writing; // one writer at a time owns _sending
    private readonly long _limit;
    private readonly ServerInstruments _metrics;
    private SegmentQueue _queued;
    private SegmentQueue _sending;
    private byte[]? _tail;
    private int _tailLength;
    private long _pending;
    private bool _sealed;
    private volatile bool _stopped; // also read without the gate, by IsFullSnapshot and LiveSession.IsOpen
    private bool _deferred; // only the session loop defers and flushes, so only it touches this
    private TaskCompletionSource? _spaceAvailable;
    private bool _overflowed;
    private Mailbox? _drained;

    /// <param name="owner">The session told when a write fails.</param>
    /// <param name="gate">The connection's gate: every method but the writer's, <see cref="Signal"/>,
    /// <see cref="Flush"/> and <see cref="Stop"/> is called holding it.</param>
    /// <param name="limit">Bytes queued beyond which senders wait or are told the queue is full.</param>
    /// <param name="metrics">Where the bytes written are counted.</param>
    public Outbox(LiveSession owner, Lock gate, long limit, ServerInstruments metrics)
    {
        _owner = owner;
        _gate = gate;
        _limit = limit;
        _metrics = metrics;
    }

    /// <summary>Bytes queued and not yet written to the transport. Under the gate.</summary>
    public long PendingBytes => _pending;

    /// <summary>True when the queue is at or over its limit. Under the gate.</summary>
    public bool IsFull => _pending >= _limit;

    /// <summary><see cref="IsFull"/> and not stopped, read without the gate: a snapshot.</summary>
    public bool IsFullSnapshot => Volatile.Read(ref _pending) >= _limit && !_stopped;

    /// <summary>Where <see cref="SendQueueDrained"/> is posted each time the queue goes back under its
    /// limit after a sender found it full (uWebSockets' <c>drain</c>).</summary>
    public void ReportDrainsTo(Mailbox mailbox) => _drained = mailbox;

    /// <summary>A sender found the queue full: tell it when it drains. Under the gate.</summary>
    public void NoteOverflow() => _overflowed = true;

    /// <summary>True when nothing is queued or being written, and so no array and no list is held.</summary>
    internal bool IsEmpty
    {
        get { lock (_gate) return _queued.IsEmpty && _sending.IsEmpty && _tail is null && !_writing; }
    }

    /// <summary>True once writing stopped: nothing queued now would reach the peer. Under the gate.</summary>
    public bool IsStopped => _stopped;

    /// <summary>The last frame (ours or the echo of the peer's close) is queued: writing ends once
    /// everything is written. Under the gate.</summary>
    public void Seal() => _sealed = true;

    /// <summary>Has what was just queued written soon, or, with <paramref name="defer"/>, at the next
    /// <see cref="Flush"/>: the session loop queues the replies to one read that way and flushes once.
    /// Called outside the gate. Without <paramref name="defer"/> (a send from a handler, a timer, another
    /// connection's broadcast) the write runs as a thread-pool work item, unless one is under way or
    /// already due: a broadcast touches every subscriber and returns, and each subscriber then writes
    /// everything queued by then (several broadcasts, one send).</summary>
    public void Signal(bool defer)
    {
        if (defer)
        {
            _deferred = true;
            return;
        }
        if (TryBecomeWriter()) ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);
    }

    /// <summary>Writes frames queued with <c>defer</c>, if any, on the caller's thread (the session loop's:
    /// no hop to another thread between reading a message and sending its reply), unless a write is
    /// under way, which then takes them too.</summary>
    public void Flush()
    {
        if (!_deferred) return;
        _deferred = false;
        Write();
    }

    void IThreadPoolWorkItem.Execute() => _ = WriteQueuedAsync();

    /// <summary>True while a sender waits for room (<see cref="WaitForSpaceAsync"/>).</summary>
    public bool HasSpaceWaiter
    {
        get { lock (_gate) return _spaceAvailable is not null; }
    }

    /// <summary>Completes when the queue is under its limit again, or writing stopped.</summary>
    public Task WaitForSpaceAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (_pending < _limit || _stopped || _sealed) return Task.CompletedTask;
            _overflowed = true;
            _spaceAvailable ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            return _spaceAvailable.Task.WaitAsync(cancellationToken);
        }
    }

    /// <summary>Starts writing to <paramref name="transport"/> (what was queued before goes first) until
    /// the sealed last frame is written, <see cref="Stop"/> is called or a write failed (the session then
    /// ends with the transport's error and the transport is cut): <see cref="WhenWritten"/> tells when.</summary>
    public void StartWriting(IBatchWriter transport)
    {
        lock (_gate) _transport = transport;
        Write();
    }

    /// <summary>Completes once writing has ended (see <see cref="StartWriting"/>); fails only for an error
    /// that is not the transport's. Its task is made on the first call, not per connection: the closing
    /// phase asks once, and most connections have ended writing by then.</summary>
    public Task WhenWritten() => LazyCompletion.Task(ref _finished);

    /// <summary>Drops whatever is queued, refuses further bytes and ends writing once a write under
    /// way is done.</summary>
    public void Stop()
    {
        TaskCompletionSource? waiter;
        bool writing;
        lock (_gate)
        {
            waiter = DropQueued();
            writing = _writing;
        }
        waiter?.TrySetResult();
        if (!writing) LazyCompletion.Complete(ref _finished);
    }

    private void Write()
    {
        if (TryBecomeWriter()) _ = WriteQueuedAsync();
    }

    // True when the caller is now the one writer: none was under way or due, and there is a transport.
    private bool TryBecomeWriter()
    {
        lock (_gate)
        {
            if (_writing || _transport is null) return false;
            _writing = true;
            return true;
        }
    }

    // The one writer at a time: runs on the thread that started it until a write has to wait for the
    // socket, then on the thread that completes the write. Pooled builder: waiting allocates nothing.
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask WriteQueuedAsync()
    {
        try
        {
            while (true)
            {
                bool last = TakeBatch(out bool empty);
                if (empty)
                {
                    if (last) Finish(null);
                    return;
                }
                long sent = 0;
                int count = _sending.Count;
                if (count == 1)
                {
                    // The common case, one reply or one broadcast frame: written as it is, no list.
                    Segment only = _sending.First;
                    await _transport!.WriteAsync(only.Buffer.AsMemory(0, only.Length)).ConfigureAwait(false);
                    sent = only.Length;
                }
                else
                {
                    for (int start = 0; start < count; start += IBatchWriter.MaxSegments)
                    {
                        List<ArraySegment<byte>> batch = _sending.Batch(start, out int bytes);
                        await _transport!.WriteAsync(batch, bytes).ConfigureAwait(false);
                        sent += bytes;
                    }
                }
                ReleaseBatch(sent);
                if (last)
                {
                    Finish(null);
                    return;
                }
            }
        }
        catch (Exception ex) when (OpenTransport.IsEnd(ex))
        {
            _owner.TransportEnded(ex);
            _transport!.Abort();
            Finish(null);
        }
        catch (Exception ex)
        {
            Finish(ex);
        }
    }

    private void Finish(Exception? error)
    {
        TaskCompletionSource? waiter;
        lock (_gate)
        {
            waiter = DropQueued();
            _sending.Release();
        }
        waiter?.TrySetResult();
        LazyCompletion.Complete(ref _finished, error);
    }

    // Under the gate: stopped, nothing queued; returns the sender waiting for room, to be released.
    private TaskCompletionSource? DropQueued()
    {
        _stopped = true;
        TaskCompletionSource? waiter = _spaceAvailable;
        _spaceAvailable = null;
        _queued.Release();
        if (_tail is not null) SegmentPool.Return(_tail);
        _tail = null;
        _tailLength = 0;
        return waiter;
    }

    /// <summary>Hands every queued segment to the writer (<c>_sending</c>, empty since the last batch was
    /// released); <paramref name="empty"/> when there was none, and then the writer is done. True when
    /// the outbox is sealed or stopped: the last batch.</summary>
    private bool TakeBatch(out bool empty)
    {
        lock (_gate)
        {
            CloseTail();
            _sending = _queued;
            _queued = default;
            empty = _sending.Count == 0;
            if (empty) _writing = false;
            return _sealed || _stopped;
        }
    }

    private void ReleaseBatch(long sent)
    {
        TaskCompletionSource? waiter = null;
        bool drained = false;
        lock (_gate)
        {
            _pending -= sent;
            if (_pending < _limit)
            {
                waiter = _spaceAvailable;
                _spaceAvailable = null;
                drained = _overflowed && !_sealed && !_stopped;
                _overflowed = false;
            }
        }
        _sending.Release();
        _metrics.BytesSent(sent);
        waiter?.TrySetResult();
        if (drained) _drained?.Post(SendQueueDrained.Instance);
    }

    /// <summary>Queues a whole frame shared with other connections by reference: it is not copied and
    /// never written to. Under the gate.</summary>
    public void QueueShared(byte[] frame)
    {
        CloseTail();
        _queued.Add(new Segment(frame, frame.Length, Pooled: false));
        _pending += frame.Length;
    }

    /// <summary>Makes room for a frame of <paramref name="frameLength"/> bytes in one segment when it
    /// fits, so it goes out in one write. Under the gate.</summary>
    public void Reserve(int frameLength) => EnsureTail(Math.Min(frameLength, SegmentSize));

    // IBufferWriter<byte>: called only under the gate, by the session's frame writer.
    public void Advance(int count)
    {
        _tailLength += count;
        _pending += count;
    }

    public Memory<byte> GetMemory(int sizeHint = 0) => EnsureTail(sizeHint).AsMemory(_tailLength);

    public Span<byte> GetSpan(int sizeHint = 0) => EnsureTail(sizeHint).AsSpan(_tailLength);

    private byte[] EnsureTail(int sizeHint)
    {
        int needed = Math.Max(sizeHint, 1);
        if (_tail is not null && _tail.Length - _tailLength >= needed) return _tail;
        int size = _tail is null ? FirstSegmentSize : Math.Min(_tail.Length * 2, SegmentSize);
        if (_tail is not null && _tailLength > 0) _queued.Add(new Segment(_tail, _tailLength, Pooled: true));
        else if (_tail is not null) SegmentPool.Return(_tail);
        _tail = SegmentPool.Rent(Math.Max(size, needed));
        _tailLength = 0;
        return _tail;
    }

    // Under the gate: the tail's bytes go to the queue as they are; the next frame starts a new one.
    private void CloseTail()
    {
        if (_tail is null || _tailLength == 0) return;
        _queued.Add(new Segment(_tail, _tailLength, Pooled: true));
        _tail = null;
        _tailLength = 0;
    }
}
