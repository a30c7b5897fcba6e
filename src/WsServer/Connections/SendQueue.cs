using System.Buffers;
using WsServer.Transport;

namespace WsServer.Connections;

/// <summary>
/// The bytes waiting for the peer, in order, and the limit senders are held to: the session's
/// <see cref="IBufferWriter{T}"/>, which its frame writer encodes straight into, and the waiters for room.
/// It knows nothing of the connection's state or of the socket; every member is called under the owning
/// session's gate. A frame shared with other connections (a broadcast) is queued by reference, not copied.
/// An empty queue holds no buffer and no list (see <see cref="SegmentQueue"/>).
/// </summary>
internal sealed class SendQueue(long limit) : IBufferWriter<byte>
{
    // The first segment of a batch is small, so a quiet connection (or one of thousands receiving the
    // same broadcast) does not pin a large array while its frame waits; a burst doubles up to the cap.
    private const int FirstSegmentSize = SegmentPool.SmallestSize;
    private const int SegmentSize = SegmentPool.LargestSize;

    private SegmentQueue _queued;
    private byte[]? _tail;
    private int _tailLength;
    private long _pending;
    private TaskCompletionSource? _spaceAvailable;
    private bool _overflowed;

    /// <summary>Bytes queued and not yet written.</summary>
    public long PendingBytes => _pending;

    /// <summary>True when the queue is at or over its limit.</summary>
    public bool IsFull => _pending >= limit;

    /// <summary><see cref="IsFull"/>, read without the gate: a snapshot.</summary>
    public bool IsFullSnapshot => Volatile.Read(ref _pending) >= limit;

    /// <summary>True when nothing is queued and so no array and no list is held.</summary>
    public bool IsEmpty => _queued.IsEmpty && _tail is null;

    public bool HasSpaceWaiter => _spaceAvailable is not null;

    /// <summary>A sender found the queue full: report the drain when it comes.</summary>
    public void NoteOverflow() => _overflowed = true;

    /// <summary>Completes when the queue is under its limit again (or the waiters are released).</summary>
    public Task WaitForSpace()
    {
        if (_pending < limit) return Task.CompletedTask;
        _overflowed = true;
        _spaceAvailable ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        return _spaceAvailable.Task;
    }

    /// <summary>Hands every queued segment over, for writing.</summary>
    public SegmentQueue TakeAll()
    {
        CloseTail();
        SegmentQueue taken = _queued;
        _queued = default;
        return taken;
    }

    /// <summary><paramref name="sent"/> bytes were written. Returns the waiter for room to release when the
    /// queue went under its limit, and whether a sender that found it full is to hear of the drain.</summary>
    public TaskCompletionSource? Written(long sent, out bool drained)
    {
        _pending -= sent;
        drained = false;
        if (_pending >= limit) return null;
        drained = _overflowed;
        _overflowed = false;
        return TakeWaiter();
    }

    /// <summary>Drops whatever is queued; returns the waiter for room, to be released.</summary>
    public TaskCompletionSource? Drop()
    {
        _queued.Release();
        if (_tail is not null) SegmentPool.Return(_tail);
        _tail = null;
        _tailLength = 0;
        return TakeWaiter();
    }

    private TaskCompletionSource? TakeWaiter()
    {
        TaskCompletionSource? waiter = _spaceAvailable;
        _spaceAvailable = null;
        return waiter;
    }

    /// <summary>An empty queue with the same limit (for frames held back for a while).</summary>
    public SendQueue Sibling() => new(limit);

    /// <summary>Moves everything <paramref name="held"/> has queued to the end of this queue, in order.</summary>
    public void Append(SendQueue held)
    {
        if (held.IsEmpty) return;
        CloseTail();
        held.CloseTail();
        held._queued.MoveTo(ref _queued);
        _pending += held._pending;
        held._pending = 0;
    }

    /// <summary>The largest shared frame that is copied rather than queued by reference: copying it costs less
    /// than a segment of its own, and a burst of small broadcasts then leaves in one array, in one <c>send</c>.</summary>
    internal const int SharedCopyLimit = 1024;

    /// <summary>Queues a whole frame shared with other connections: a small one is copied (see
    /// <see cref="SharedCopyLimit"/>), a larger one queued by reference, never written to.</summary>
    public void QueueShared(byte[] frame)
    {
        if (frame.Length <= SharedCopyLimit)
        {
            frame.CopyTo(GetSpan(frame.Length));
            Advance(frame.Length);
            return;
        }
        CloseTail();
        _queued.Add(new Segment(frame, frame.Length, Pooled: false));
        _pending += frame.Length;
    }

    /// <summary>Queues what a send made past the queue left of <paramref name="head"/> then <paramref name="payload"/>
    /// after its first <paramref name="sent"/> bytes; false when it sent them all.</summary>
    public bool QueueUnsent(ReadOnlySpan<byte> head, ReadOnlySpan<byte> payload, long sent)
    {
        int rest = head.Length + payload.Length - (int)sent;
        if (rest == 0) return false;
        Reserve(rest);
        if (sent < head.Length) this.Write(head[(int)sent..]);
        this.Write(payload[(int)Math.Max(0, sent - head.Length)..]);
        return true;
    }

    /// <summary>Makes room for a frame of <paramref name="frameLength"/> bytes in one segment when it
    /// fits, so it goes out in one write.</summary>
    public void Reserve(int frameLength) => EnsureTail(Math.Min(frameLength, SegmentSize));

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

    // The tail's bytes go to the queue as they are; the next frame starts a new one.
    private void CloseTail()
    {
        if (_tail is null || _tailLength == 0) return;
        _queued.Add(new Segment(_tail, _tailLength, Pooled: true));
        _tail = null;
        _tailLength = 0;
    }
}
