using System.Buffers;
using System.Text;
using WsServer.Protocol.Closing;
using WsServer.Protocol.Framing;

namespace WsServer.Connections;

/// <summary>
/// The connection's mailbox. Every frame for the peer — the handler's replies, the codec's automatic
/// replies and sends from any thread — is encoded once, in call order, straight into pooled segments
/// under one lock. One pump writes them to the transport, coalescing whatever queued while the
/// previous write was in flight; it is woken outside the lock. The receive loop defers the wake-up to
/// the end of each read, so the replies to a burst of messages cost one wake-up and leave together.
/// An empty outbox holds no buffer.
/// </summary>
internal sealed partial class Outbox : IBufferWriter<byte>
{
    // The first segment of a batch is small, so a quiet connection (or one of thousands receiving the
    // same broadcast) does not pin a large array while its frame waits; a burst doubles up to the cap.
    private const int FirstSegmentSize = SegmentPool.SmallestSize;
    private const int SegmentSize = SegmentPool.LargestSize;
    private const int MaxHeaderLength = 14;

    private readonly Lock _gate = new();
    private readonly AsyncSignal _signal = new();
    private readonly long _limit;
    private List<(byte[] Buffer, int Length)> _queued = [];
    private List<(byte[] Buffer, int Length)> _sending = [];
    private byte[]? _tail;
    private int _tailLength;
    private long _pending;
    private bool _closeQueued;
    private bool _stopped;
    private bool _deferred; // only the receive loop defers and flushes, so only it touches this
    private TaskCompletionSource? _spaceAvailable;

    public Outbox(long limit) => _limit = limit;

    /// <summary>Bytes queued and not yet written to the transport.</summary>
    public long PendingBytes
    {
        get { lock (_gate) return _pending; }
    }

    /// <summary>True once a close frame is queued: no data may follow it (RFC 6455 §5.5.1).</summary>
    public bool IsCloseQueued
    {
        get { lock (_gate) return _closeQueued || _stopped; }
    }

    /// <summary>Queues a whole frame. With <paramref name="defer"/>, the pump is not woken until
    /// <see cref="Flush"/>: the receive loop queues the replies to one read that way and flushes once.</summary>
    public SendStatus TryWriteFrame(Opcode opcode, ReadOnlySpan<byte> payload, bool ignoreLimit = false, bool defer = false)
    {
        SendStatus status;
        lock (_gate)
        {
            status = Admit(ignoreLimit);
            if (status == SendStatus.Queued && !TryWriteCompressed(opcode, payload))
            {
                // One segment for the whole frame when it fits, so it goes out in one write.
                EnsureTail(Math.Min(MaxHeaderLength + payload.Length, SegmentSize));
                FrameWriter.WriteFrame(this, opcode, payload);
            }
        }
        return Signal(status, defer);
    }

    public SendStatus TryWriteText(ReadOnlySpan<char> text, bool ignoreLimit = false, bool defer = false)
    {
        SendStatus status;
        lock (_gate)
        {
            status = Admit(ignoreLimit);
            if (status == SendStatus.Queued && !TryWriteCompressedText(text))
            {
                int length = Encoding.UTF8.GetByteCount(text);
                EnsureTail(Math.Min(MaxHeaderLength + length, SegmentSize));
                FrameWriter.WriteHeader(this, new FrameHeader(Fin: true, Rsv1: false, Opcode.Text, length));
                Advance(Encoding.UTF8.GetBytes(text, GetSpan(length)));
            }
        }
        return Signal(status, defer);
    }

    /// <summary>Queues bytes that are already whole frames (codec replies, prepared messages).</summary>
    public SendStatus TryWriteEncoded(ReadOnlySpan<byte> frames, bool endsWithClose, bool ignoreLimit = false, bool defer = false)
    {
        SendStatus status;
        lock (_gate)
        {
            status = Admit(ignoreLimit);
            if (status == SendStatus.Queued)
            {
                frames.CopyTo(GetSpan(frames.Length));
                Advance(frames.Length);
                _closeQueued |= endsWithClose;
            }
        }
        return Signal(status, defer);
    }

    /// <summary>Wakes the pump for frames queued with <c>defer</c>, if any.</summary>
    public void Flush()
    {
        if (!_deferred) return;
        _deferred = false;
        _signal.Set();
    }

    /// <summary>Queues a close frame, after which nothing more is queued; false if one already was.</summary>
    public bool TryWriteClose(CloseCode? code, string? reason)
    {
        Span<byte> payload = stackalloc byte[125];
        int length = code is { } c ? ClosePayload.Write(payload, c, reason) : 0;
        lock (_gate)
        {
            if (Admit(ignoreLimit: true) != SendStatus.Queued) return false;
            FrameWriter.WriteFrame(this, Opcode.Close, payload[..length]);
            _closeQueued = true;
        }
        Signal(SendStatus.Queued, defer: false);
        return true;
    }

    /// <summary>Completes when the queue is under its limit again, or the outbox is closed.</summary>
    public Task WaitForSpaceAsync(CancellationToken cancellationToken)
    {
        Task space;
        lock (_gate)
        {
            if (_pending < _limit || _closeQueued || _stopped) return Task.CompletedTask;
            _spaceAvailable ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            space = _spaceAvailable.Task.WaitAsync(cancellationToken);
        }
        return space;
    }

    /// <summary>Writes queued frames to <paramref name="transport"/> until the close frame is written
    /// or <see cref="Stop"/> is called. Transport errors end the pump and are rethrown.</summary>
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

    /// <summary>Drops whatever is queued, refuses further frames and ends the pump.</summary>
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
            ReleaseCompression();
        }
        waiter?.TrySetResult();
        _signal.Set();
    }

    private SendStatus Admit(bool ignoreLimit)
    {
        if (_closeQueued || _stopped) return SendStatus.Closed;
        return ignoreLimit || _pending < _limit ? SendStatus.Queued : SendStatus.QueueFull;
    }

    // Called outside _gate, so a sender never holds the lock while it wakes the pump.
    private SendStatus Signal(SendStatus status, bool defer)
    {
        if (status != SendStatus.Queued) return status;
        if (defer) _deferred = true;
        else _signal.Set();
        return status;
    }

    /// <summary>Moves every queued segment to the sending list; true when the close frame is among them
    /// or the outbox was stopped, so this is the pump's last batch.</summary>
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
            return _closeQueued || _stopped;
        }
    }

    private void ReleaseBatch(long sent)
    {
        TaskCompletionSource? waiter = null;
        lock (_gate)
        {
            _pending -= sent;
            if (_pending < _limit)
            {
                waiter = _spaceAvailable;
                _spaceAvailable = null;
            }
        }
        foreach ((byte[] buffer, _) in _sending) SegmentPool.Return(buffer);
        _sending.Clear();
        waiter?.TrySetResult();
    }

    // IBufferWriter<byte>: called only under _gate, by the frame writer.
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
