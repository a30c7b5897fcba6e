using System.Runtime.CompilerServices;
using WsServer.Diagnostics;
using WsServer.Transport;
using WsServer.Transport.Epoll;

namespace WsServer.Connections;

/// <summary>What a <see cref="SocketWriter"/> writes from: the session that owns it.</summary>
internal interface IWriteSource
{
    /// <summary>The session's gate, which guards the queue and this writer's state alike.</summary>
    ref SpinLock Gate { get; }

    ServerInstruments Metrics { get; }

    /// <summary>Under the session's gate: <paramref name="sent"/> bytes of the last batch were written (0 before
    /// the first), and everything queued since is handed to the writer; <paramref name="last"/> when nothing
    /// more will be queued after it (the session is closing). <paramref name="room"/> is what the written bytes
    /// freed, acted on out of the gate by <see cref="Written"/>.</summary>
    SegmentQueue TakeBatch(long sent, out bool last, out RoomMade room);

    /// <summary>Out of the gate, after <see cref="TakeBatch"/>: releases a sender waiting for room, reports a
    /// drain.</summary>
    void Written(RoomMade room);

    /// <summary>Writing has ended: after the last batch, or because the transport failed under a write
    /// (<paramref name="transportError"/>); nothing queued from now on can be written.</summary>
    void WritingEnded(Exception? transportError);
}

/// <summary>What writing a batch made room for: a sender waiting for it, and a drain to report.</summary>
internal readonly record struct RoomMade(TaskCompletionSource? Waiter, bool Drained);

/// <summary>
/// The one writer of a connection's queued bytes to its transport. One write at a time: the session loop
/// writes its replies itself (<see cref="Flush"/>, no thread hop between reading a message and sending its
/// reply), other senders have a thread-pool work item write theirs; a write under way takes, when done,
/// whatever queued meanwhile, in one send. Writing ends after the last batch, at <see cref="Stop"/>, or when
/// a write fails (the transport is then cut); <see cref="WhenWritten"/> tells when.
/// </summary>
/// <remarks>Its gate and instruments are its source's, read through it: a connection holds them once.</remarks>
internal sealed class SocketWriter(IWriteSource source) : IThreadPoolWorkItem, IBatchFlush
{
    private IBatchWriter? _transport;
    private bool _writing; // under the gate: one writer at a time owns _sending
    // Only the session loop defers and flushes, and its loop's batch end; a race between the two is harmless: the
    // replies are queued before the flag is set, and whoever flushes takes everything queued.
    private bool _deferred;
    private SegmentQueue _sending;
    private TaskCompletionSource? _finished; // see LazyCompletion

    /// <summary>True while a write is under way or due (under the gate).</summary>
    public bool IsWriting => _writing || !_sending.IsEmpty;

    /// <summary>Starts writing to <paramref name="transport"/>; what was queued before goes first.</summary>
    public void Start(IBatchWriter transport)
    {
        using (source.Gate.Hold()) _transport = transport;
        Write();
    }

    /// <summary>Under the gate, by a sender that has just queued (a handler's send, a timer, another
    /// connection's broadcast): claims the write unless one is under way or already due; true then, and the
    /// caller calls <see cref="WriteClaimed"/> once out of the gate. Queueing and claiming the write are one
    /// pass through the gate; a broadcast touches every subscriber once and returns, and each then writes
    /// everything queued by then in one send.</summary>
    public bool Claim()
    {
        if (_writing || _transport is null) return false;
        _writing = true;
        return true;
    }

    /// <summary>Under the gate, with nothing queued: sends <paramref name="head"/> and <paramref name="payload"/> on
    /// the caller's thread, at once (<see cref="IBatchWriter.TrySendNow"/>), unless a write is under way or due or
    /// writing has not started; -1 then, and when the transport cannot.</summary>
    public long TrySendNow(ReadOnlySpan<byte> head, ReadOnlySpan<byte> payload) =>
        IsWriting || _transport is null ? -1 : _transport.TrySendNow(head, payload);

    /// <summary>What was just queued is written at the next <see cref="Flush"/>: the session loop queues the
    /// replies to one read that way and flushes once (the session loop only).</summary>
    public void Defer() => _deferred = true;

    /// <summary>Runs the write <see cref="Claim"/> gave the caller, as a thread-pool work item (with the others a
    /// broadcast claims, in one: <see cref="WriteStarts"/>).</summary>
    public void WriteClaimed()
    {
        if (!WriteStarts.TryAdd(this)) ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);
    }

    /// <summary>Writes what was queued with <c>defer</c>, on the caller's thread, unless a write is under
    /// way, which then takes it too.</summary>
    public void Flush()
    {
        if (!_deferred) return;
        _deferred = false;
        Write();
    }

    /// <summary>As <see cref="Flush"/>, at the end of the loop's batch when called on an epoll loop's thread (a
    /// connection served twice in one batch is flushed twice there; the second finds nothing deferred).</summary>
    public void FlushAtBatchEnd()
    {
        if (_deferred && !LoopBatch.TryDefer(this)) Flush();
    }

    /// <summary>Completes once writing has ended; fails only for an error that is not the transport's. Its
    /// task is made on the first call: most connections have ended writing by the time anyone asks.</summary>
    public Task WhenWritten() => LazyCompletion.Task(ref _finished);

    /// <summary>Writing ends once a write under way is done (the queue was dropped by the caller).</summary>
    public void Stop()
    {
        bool writing;
        using (source.Gate.Hold()) writing = _writing;
        if (!writing) LazyCompletion.Complete(ref _finished);
    }

    void IThreadPoolWorkItem.Execute()
    {
        bool taken, last;
        using (source.Gate.Hold()) taken = TakeNext(sent: 0, out last, out _);
        _ = WriteQueuedAsync(taken, last);
    }

    private void Write()
    {
        bool taken, last;
        using (source.Gate.Hold())
        {
            if (!Claim()) return;
            taken = TakeNext(sent: 0, out last, out _);
        }
        _ = WriteQueuedAsync(taken, last);
    }

    // Under the gate: counts what was sent and takes the next batch into _sending, in one pass through the gate
    // per batch; false when there is none, and then this writer is done.
    private bool TakeNext(long sent, out bool last, out RoomMade room)
    {
        _sending = source.TakeBatch(sent, out last, out room);
        if (_sending.Count > 0) return true;
        _writing = false;
        return false;
    }

    // Writes the batch taken, and the next ones, until none is left; then ends writing if the last was. Runs on
    // the thread that started it until a write has to wait for the socket, then on the thread that completes the
    // write. Pooled builder: waiting allocates nothing.
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask WriteQueuedAsync(bool taken, bool last)
    {
        try
        {
            while (taken)
            {
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
                _sending.Release();
                source.Metrics.BytesSent(sent);
                RoomMade room;
                using (source.Gate.Hold()) taken = TakeNext(sent, out last, out room);
                source.Written(room);
            }
            if (last) Finish();
        }
        catch (Exception ex) when (ConnectionTransport.IsEnd(ex))
        {
            // The read side must end too, and may never notice on its own.
            _transport!.Abort();
            Finish(transportError: ex);
        }
        catch (Exception ex)
        {
            Finish(error: ex);
        }
    }

    private void Finish(Exception? transportError = null, Exception? error = null)
    {
        using (source.Gate.Hold()) _sending.Release();
        source.WritingEnded(transportError);
        LazyCompletion.Complete(ref _finished, error);
    }
}
