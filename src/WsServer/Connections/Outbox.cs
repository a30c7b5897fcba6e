using System.Buffers;
using WsServer.Diagnostics;
using WsServer.Protocol.Session;

namespace WsServer.Connections;

/// <summary>
/// The bytes waiting for the peer, in order, and the one pump that writes them. It holds bytes and
/// nothing else: every frame in it was encoded by the connection's <see cref="ProtocolSession"/>,
/// which writes straight into it (it is the session's <see cref="IBufferWriter{T}"/>) under the
/// connection's gate, the same lock that guards this queue. The pump takes the gate only to take a
/// batch, and writes it outside, coalescing whatever queued while the previous write was in flight.
/// An empty outbox holds no buffer.
/// </summary>
internal sealed class Outbox : IBufferWriter<byte>
{
    // The first segment of a batch is small, so a quiet connection (or one of thousands receiving the
    // same broadcast) does not pin a large array while its frame waits; a burst doubles up to the cap.
    private const int FirstSegmentSize = SegmentPool.SmallestSize;
    private const int SegmentSize = SegmentPool.LargestSize;

    private readonly Lock _gate;
    private readonly AsyncSignal _signal = new();
    private readonly long _limit;
    private readonly ServerInstruments _metrics;
    private List<(byte[] Buffer, int Length)> _queued = [];
    private List<(byte[] Buffer, int Length)> _sending = [];
    private byte[]? _tail;
    private int _tailLength;
    private long _pending;
    private bool _sealed;
    private bool _stopped;
    private bool _deferred; // only the session loop defers and flushes, so only it touches this
    private TaskCompletionSource? _spaceAvailable;
    private bool _overflowed;
    private Action? _drained;

    /// <param name="gate">The connection's gate: every method but the pump's, <see cref="Signal"/>,
    /// <see cref="Flush"/> and <see cref="Stop"/> is called holding it.</param>
    /// <param name="limit">Bytes queued beyond which senders wait or are told the queue is full.</param>
    /// <param name="metrics">Where the bytes written are counted.</param>
    public Outbox(Lock gate, long limit, ServerInstruments metrics)
    {
        _gate = gate;
        _limit = limit;
        _metrics = metrics;
    }

    /// <summary>Bytes queued and not yet written to the transport. Under the gate.</summary>
    public long PendingBytes => _pending;

    /// <summary>True when the queue is at or over its limit. Under the gate.</summary>
    public bool IsFull => _pending >= _limit;

    /// <summary>Called once, outside the gate, each time the queue goes back under its limit after a
    /// sender found it full (uWebSockets' <c>drain</c>).</summary>
    public void OnDrained(Action drained) => _drained = drained;

    /// <summary>A sender found the queue full: tell it when it drains. Under the gate.</summary>
    public void NoteOverflow() => _overflowed = true;

    /// <summary>True once the pump stopped: nothing queued now would reach the peer. Under the gate.</summary>
    public bool IsStopped => _stopped;

    /// <summary>The last frame (ours or the echo of the peer's close) is queued: the pump ends once
    /// it has written everything. Under the gate.</summary>
    public void Seal() => _sealed = true;

    /// <summary>Wakes the pump for what was just queued, or, with <paramref name="defer"/>, at the next
    /// <see cref="Flush"/>: the session loop queues the replies to one read that way and flushes once.
    /// Called outside the gate, so a sender never holds it while it wakes the pump.</summary>
    public void Signal(bool defer)
    {
        if (defer) _deferred = true;
        else _signal.Set();
    }

    /// <summary>Wakes the pump for frames queued with <c>defer</c>, if any.</summary>
    public void Flush()
    {
        if (!_deferred) return;
        _deferred = false;
        _signal.Set();
    }

    /// <summary>True while a sender waits for room (<see cref="WaitForSpaceAsync"/>).</summary>
    public bool HasSpaceWaiter
    {
        get { lock (_gate) return _spaceAvailable is not null; }
    }

    /// <summary>Completes when the queue is under its limit again, or the pump stopped.</summary>
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

    /// <summary>Writes queued bytes to <paramref name="transport"/> until the sealed last frame is
    /// written or <see cref="Stop"/> is called. Transport errors end the pump and are rethrown.</summary>
    public async Task PumpAsync(Stream transport)
    {
        try
        {
            while (true)
            {
                await _signal.WaitAsync().ConfigureAwait(false);
                bool lastBatch = TakeBatch();
                long sent = 0;
                foreach ((byte[] buffer, int length) in _sending)
                {
                    await transport.WriteAsync(buffer.AsMemory(0, length)).ConfigureAwait(false);
                    sent += length;
                }
                ReleaseBatch(sent);
                if (lastBatch) return;
            }
        }
        finally
        {
            Stop();
        }
    }

    /// <summary>Drops whatever is queued, refuses further bytes and ends the pump.</summary>
    public void Stop()
    {
        TaskCompletionSource? waiter;
        lock (_gate)
        {
            _stopped = true;
            waiter = _spaceAvailable;
            _spaceAvailable = null;
            foreach ((byte[] buffer, _) in _queued) SegmentPool.Return(buffer);
            _queued.Clear();
            if (_tail is not null) SegmentPool.Return(_tail);
            _tail = null;
            _tailLength = 0;
        }
        waiter?.TrySetResult();
        _signal.Set();
    }

    /// <summary>Moves every queued segment to the sending list; true when the outbox is sealed or
    /// stopped, so this is the pump's last batch.</summary>
    private bool TakeBatch()
    {
        lock (_gate)
        {
            if (_tail is not null && _tailLength > 0)
            {
                _queued.Add((_tail, _tailLength));
                _tail = null;
                _tailLength = 0;
            }
            (_queued, _sending) = (_sending, _queued);
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
        foreach ((byte[] buffer, _) in _sending) SegmentPool.Return(buffer);
        _sending.Clear();
        _metrics.BytesSent(sent);
        waiter?.TrySetResult();
        if (drained) _drained?.Invoke();
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
        if (_tail is not null && _tailLength > 0) _queued.Add((_tail, _tailLength));
        else if (_tail is not null) SegmentPool.Return(_tail);
        _tail = SegmentPool.Rent(Math.Max(size, needed));
        _tailLength = 0;
        return _tail;
    }
}
