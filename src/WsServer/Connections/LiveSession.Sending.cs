using System.Buffers;
using WsServer.Protocol.Closing;
using WsServer.Protocol.Framing;
using WsServer.Protocol.Messages;
using WsServer.PubSub;
using WsServer.Transport;

namespace WsServer.Connections;

// Sending: every frame is admitted against the lifecycle and the queue's limit, encoded into the queue,
// and signalled to the writer.
internal sealed partial class LiveSession
{
    // The session whose loop is acting on a read on this thread (see EnterLoop).
    [ThreadStatic] private static LiveSession? t_actingLoop;

    /// <summary>True when the send queue is at or over its limit (a snapshot, read without the gate).</summary>
    public bool IsOverLimit => _queue.IsFullSnapshot && IsOpen;

    public long PendingBytes
    {
        get { using (_gate.Hold()) return _queue.PendingBytes; }
    }

    /// <summary>True while a sender waits for room (<see cref="WaitForSpaceAsync"/>).</summary>
    public bool HasSpaceWaiter
    {
        get { using (_gate.Hold()) return _queue.HasSpaceWaiter; }
    }

    /// <summary>True when nothing is queued or being written, and so no array and no list is held.</summary>
    internal bool IsSendIdle
    {
        get { using (_gate.Hold()) return _queue.IsEmpty && !_writer.IsWriting; }
    }

    /// <summary>Where <see cref="SendQueueDrained"/> is posted each time the queue goes back under its
    /// limit after a sender found it full (uWebSockets' <c>drain</c>).</summary>
    public void ReportDrainsTo(Mailbox mailbox) => _drained = mailbox;

    /// <summary>Queues bytes that precede every frame: the 101 answer.</summary>
    public void QueueHandshakeAnswer(ReadOnlySpan<byte> answer)
    {
        bool write;
        using (_gate.Hold())
        {
            answer.CopyTo(_queue.GetSpan(answer.Length));
            _queue.Advance(answer.Length);
            write = _writer.Claim();
        }
        if (write) _writer.WriteClaimed();
    }

    /// <summary>Starts writing to <paramref name="transport"/>, what was queued before first, until the last
    /// frame is written, writing is stopped or a write fails (the session then ends with the transport's
    /// error and the transport is cut): <see cref="WhenWritten"/> tells when.</summary>
    public void StartWriting(IBatchWriter transport) => _writer.Start(transport);

    /// <summary>Completes once writing has ended; fails only for an error that is not the transport's.</summary>
    public Task WhenWritten() => _writer.WhenWritten();

    /// <summary>Writes the frames queued with <c>defer</c>, on the caller's thread (the session loop's).</summary>
    public void Flush() => _writer.Flush();

    /// <summary>As <see cref="Flush"/>; on an epoll loop's thread, once the loop has served the events in hand.</summary>
    public void FlushAtBatchEnd() => _writer.FlushAtBatchEnd();

    /// <summary>Drops whatever is queued, refuses further frames and ends writing once a write under way is done.</summary>
    public void StopWriting()
    {
        DropQueued(transportError: null);
        _writer.Stop();
    }

    /// <summary>Completes when the queue is under its limit again, or the session is no longer open.</summary>
    public Task WaitForSpaceAsync(CancellationToken cancellationToken)
    {
        Task space;
        using (_gate.Hold()) space = IsOpen ? _queue.WaitForSpace() : Task.CompletedTask;
        if (space.IsCompleted) return space;
        // A handler the loop calls waits for room its deferred sends take: they must be being written.
        if (t_actingLoop == this) _writer.Flush();
        return space.WaitAsync(cancellationToken);
    }

    /// <summary>For the session loop, as it acts on a read on its thread: until <see cref="LeaveLoop"/>, what is
    /// sent to this session from this thread (by the handler's call: a <c>TrySend</c>, a ping, its own copy of a
    /// broadcast or of a publish) waits for the loop's flush after the read, as a reply does, and goes out in the
    /// same send, with no thread hop. A send from another thread, or after the handler's first await, starts its
    /// write as any other sender's. Returns what this thread was in, for <see cref="LeaveLoop"/>.</summary>
    public LiveSession? EnterLoop()
    {
        LiveSession? outer = t_actingLoop;
        t_actingLoop = this;
        return outer;
    }

    /// <summary>Ends what <see cref="EnterLoop"/> began, back in <paramref name="outer"/>.</summary>
    public static void LeaveLoop(LiveSession? outer) => t_actingLoop = outer;

    /// <summary>True on the thread of this session's loop while it acts on a read (<see cref="EnterLoop"/>).</summary>
    internal bool DefersSendsOnThisThread => t_actingLoop == this;

    public SendStatus Send(MessageKind kind, ReadOnlySpan<byte> payload, bool ignoreLimit = false, bool defer = false)
    {
        if (payload.Length >= AtOnceMinimum && _lastOfRead && TrySendAtOnce(kind, payload, ignoreLimit, defer, out SendStatus sent))
            return sent;
        var sink = new QueueSink(this, ignoreLimit, defer);
        OrderedEncoder.Encode(_protocol, ref sink, kind, payload);
        return Outcome(sink.Status, sink.WriteClaimed);
    }

    /// <summary>The smallest payload <see cref="TrySendAtOnce"/> sends from where it lies: one that would not fit
    /// the queue's first segment, so copying it costs a segment of its own.</summary>
    internal const int AtOnceMinimum = SegmentPool.SmallestSize;

    // A large message the loop's flush would carry alone (the loop's reply to the last message of its read, or
    // its handler's own send then, with nothing queued and no write under way, so nothing is overtaken): sent
    // now, its header and its payload in one call from where they lie, not copied into the queue, as
    // uWebSockets sends what its cork buffer cannot hold. What the socket does not take is queued and written
    // as any frame. False when it cannot go this way (another thread's send, a transport that only writes
    // through its queue, compression): the caller queues it.
    private bool TrySendAtOnce(MessageKind kind, ReadOnlySpan<byte> payload, bool ignoreLimit, bool defer, out SendStatus status)
    {
        status = default;
        if (!defer && t_actingLoop != this) return false;
        Span<byte> header = stackalloc byte[FrameWriter.MaxHeaderLength];
        bool write = false;
        using (_gate.Hold())
        {
            if (_sendingParts || !_queue.IsEmpty) return false;
            status = Admit(ignoreLimit);
            if (status == SendStatus.Queued)
            {
                if (!_protocol.TryWriteMessageHeader(header, kind, payload.Length, out int headerLength)) return false;
                long sent = _writer.TrySendNow(header[..headerLength], payload);
                if (sent < 0) return false;
                _metrics.MessageSent();
                _metrics.BytesSent(sent);
                write = _queue.QueueUnsent(header[..headerLength], payload, sent) && Queued(defer);
            }
        }
        status = Outcome(status, write);
        return true;
    }

    public SendStatus SendText(ReadOnlySpan<char> text, bool ignoreLimit = false, bool defer = false)
    {
        var sink = new QueueSink(this, ignoreLimit, defer);
        OrderedEncoder.EncodeText(_protocol, ref sink, text);
        return Outcome(sink.Status, sink.WriteClaimed);
    }

    /// <summary>Queues a message encoded once for many connections, by reference: its plain frame, or
    /// the compressed frame it shares with every session whose compressor starts each message afresh.</summary>
    public SendStatus SendPrepared(PreparedMessage message, bool ignoreLimit = false)
    {
        // Compressed once, by the first session that needs it, outside the gate.
        byte[] frame = message.FrameFor(_protocol.SharedDeflateFor(message.PayloadLength));
        SendStatus status;
        bool write = false;
        using (_gate.Hold())
        {
            status = Admit(ignoreLimit);
            if (status == SendStatus.Queued)
            {
                DataQueue.QueueShared(frame);
                _metrics.MessageSent();
                write = Queued(defer: false);
            }
        }
        return Outcome(status, write);
    }

    /// <summary>Queues a ping or pong of at most 125 bytes (checked by the caller), ahead of the limit.</summary>
    public SendStatus SendControl(bool ping, ReadOnlySpan<byte> payload, bool defer = false)
    {
        SendStatus status;
        bool write = false;
        using (_gate.Hold())
        {
            status = Admit(ignoreLimit: true);
            if (status == SendStatus.Queued)
            {
                if (ping) _protocol.WritePing(_queue, payload);
                else _protocol.WritePong(_queue, payload);
                write = Queued(defer);
            }
        }
        return Outcome(status, write);
    }

    /// <summary>A send found the queue over its limit (outside the gate): under
    /// <see cref="SlowConsumerPolicy.Close"/> the connection closes with 1008 and the send is refused
    /// as closed; otherwise it is refused as full, and the drain will be reported.</summary>
    public SendStatus Overflow()
    {
        if (SlowConsumer == SlowConsumerPolicy.Close)
        {
            Close(CloseCode.PolicyViolation, "send queue over its limit");
            return SendStatus.Closed;
        }
        return SendStatus.QueueFull;
    }

    // Under the gate.
    private SendStatus Admit(bool ignoreLimit)
    {
        if (!IsOpen) return SendStatus.Closed;
        if (ignoreLimit || !IsDataQueueFull) return SendStatus.Queued;
        _queue.NoteOverflow();
        return SendStatus.QueueFull;
    }

    // Under the gate, once a frame is queued: the loop's replies, and what its handler's call sends here on its
    // thread, wait for its flush; any other send claims the write (true: start it once out of the gate).
    private bool Queued(bool defer)
    {
        if (!defer && t_actingLoop != this) return _writer.Claim();
        _writer.Defer();
        return false;
    }

    // The outcome of a send, out of the gate: the write it claimed is started, or a full queue met.
    private SendStatus Outcome(SendStatus status, bool writeClaimed)
    {
        if (writeClaimed) _writer.WriteClaimed();
        else if (status == SendStatus.QueueFull) return Overflow();
        return status;
    }

    // Admits a message against the lifecycle and the queue's limit, and encodes it into the queue.
    private struct QueueSink(LiveSession session, bool ignoreLimit, bool defer) : IFrameSink
    {
        public SendStatus Status { get; private set; }

        /// <summary>The send claimed the write (<see cref="SocketWriter.Claim"/>): its caller starts it.</summary>
        public bool WriteClaimed { get; private set; }

        public readonly void EnterGate() => session._gate.EnterGate();

        public readonly void ExitGate() => session._gate.ExitGate();

        public bool Admit(bool admitted)
        {
            Status = session.Admit(ignoreLimit || admitted);
            return Status == SendStatus.Queued;
        }

        public IBufferWriter<byte> Reserve(int frameLength)
        {
            SendQueue queue = session.DataQueue;
            queue.Reserve(frameLength);
            session._metrics.MessageSent();
            // The frame is written before the gate is let go: the write may be claimed for it now.
            WriteClaimed = session.Queued(defer);
            return queue;
        }
    }

    SegmentQueue IWriteSource.TakeBatch(long sent, out bool last, out RoomMade room)
    {
        last = !IsOpen;
        room = default;
        if (sent > 0)
        {
            TaskCompletionSource? waiter = _queue.Written(sent, out bool drained);
            room = new RoomMade(waiter, drained && !last);
        }
        return _queue.TakeAll();
    }

    void IWriteSource.Written(RoomMade room)
    {
        room.Waiter?.TrySetResult();
        if (room.Drained) _drained?.Post(SendQueueDrained.Instance);
    }

    void IWriteSource.WritingEnded(Exception? transportError) => DropQueued(transportError);

    // Nothing more will be written: the session leaves Open, what is queued goes, a sender waiting for room is
    // released; a write that failed under the transport ends the connection as 1006 unless it had ended.
    private void DropQueued(Exception? transportError)
    {
        TaskCompletionSource? waiter;
        using (_gate.Hold())
        {
            if (transportError is not null) NoteTransportEnded(transportError);
            MoveTo(Lifecycle.Closing);
            waiter = _queue.Drop();
            _held?.Drop()?.TrySetResult();
        }
        waiter?.TrySetResult();
    }
}
