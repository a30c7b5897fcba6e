using System.Buffers;
using System.IO.Pipelines;

namespace WsServer.Connections;

/// <summary>
/// The message a streaming route's handler is reading (<see cref="Routing.WebSocketRouteOptions.StreamMessages"/>): the
/// session loop pushes each part into a pipe as it arrives and the handler reads them out through
/// <see cref="WebSocketMessage.Body"/>. The pipe is the back-pressure: once it holds <see cref="PauseBytes"/>
/// the loop's push waits, so the loop stops reading the socket until the handler catches up. When the
/// handler's call returns, the pipe's reading end is completed and the rest of the message is discarded.
/// One per streaming connection, made at its first message and reused for each.
/// </summary>
internal sealed class IncomingStream
{
    /// <summary>What the pipe holds at most before the loop stops reading (plus the part being pushed).</summary>
    internal const int PauseBytes = 128 * 1024;

    private readonly Pipe _pipe = new(new PipeOptions(
        pauseWriterThreshold: PauseBytes, resumeWriterThreshold: PauseBytes / 2, minimumSegmentSize: 16 * 1024,
        readerScheduler: PipeScheduler.ThreadPool, writerScheduler: PipeScheduler.ThreadPool, useSynchronizationContext: false));
    private PipeBody? _body;
    private Task? _call;
    private bool _writerDone;
    private bool _discarding;
    private long _written;
    private long _consumed;
    private long _peak;

    /// <summary>True between a message's first part and the end of its handler's call.</summary>
    public bool IsReceiving => _body is not null;

    /// <summary>Starts a message: the one to hand to the handler.</summary>
    public WebSocketMessage Begin(MessageType type)
    {
        _body = new PipeBody(this);
        _writerDone = _discarding = false;
        Volatile.Write(ref _written, 0);
        Volatile.Write(ref _consumed, 0);
        Volatile.Write(ref _peak, 0);
        return new WebSocketMessage(type, _body);
    }

    /// <summary>The handler's call for the message: when it completes, nothing more is read from the pipe.</summary>
    public void Calling(ValueTask call) => _call = WhenCalledAsync(call);

    /// <summary>Hands a part over; completes at once while the pipe has room, else when the handler has read
    /// enough of it. Once the handler's call has returned, parts are dropped.</summary>
    public ValueTask PushAsync(ReadOnlyMemory<byte> part, CancellationToken cancellationToken)
    {
        if (_discarding || part.IsEmpty) return default;
        _pipe.Writer.Write(part.Span);
        long written = Volatile.Read(ref _written) + part.Length;
        Volatile.Write(ref _written, written);
        long buffered = written - Volatile.Read(ref _consumed);
        if (buffered > Volatile.Read(ref _peak)) Volatile.Write(ref _peak, buffered);
        ValueTask<FlushResult> flushing = _pipe.Writer.FlushAsync(cancellationToken);
        if (!flushing.IsCompletedSuccessfully) return AwaitRoomAsync(flushing);
        _discarding = flushing.Result.IsCompleted;
        return default;
    }

    /// <summary>The message's last part was pushed: waits for the handler's call, then readies the pipe for
    /// the next message.</summary>
    public async ValueTask EndAsync()
    {
        CompleteWriter(null);
        try
        {
            await _call!.ConfigureAwait(false);
        }
        finally
        {
            _body!.Detach();
            _body = null;
            _call = null;
            _pipe.Reset();
        }
    }

    /// <summary>The connection ended before the message did: the handler's next read throws.</summary>
    public void Abort()
    {
        if (_body is not null) CompleteWriter(new MessageCutException());
    }

    private async ValueTask AwaitRoomAsync(ValueTask<FlushResult> flushing)
    {
        FlushResult flushed = await flushing.ConfigureAwait(false);
        _discarding = flushed.IsCompleted;
    }

    private async Task WhenCalledAsync(ValueTask call)
    {
        try
        {
            await call.ConfigureAwait(false);
        }
        finally
        {
            // The handler is done with the message: a push waiting for room is released, and the rest dropped.
            _pipe.Reader.Complete();
        }
    }

    private void CompleteWriter(Exception? error)
    {
        if (_writerDone) return;
        _writerDone = true;
        _pipe.Writer.Complete(error);
    }

    /// <summary>The handler's view of the pipe: one segment of it per part.</summary>
    private sealed class PipeBody(IncomingStream owner) : MessageBody
    {
        private SequencePosition _partEnd;
        private long _held; // the length of the part handed out, consumed when the next is asked for
        internal override long PeakBufferedBytes => Volatile.Read(ref owner._peak);

        internal override long ReceivedBytes => Volatile.Read(ref owner._written);

        protected override async ValueTask<ReadOnlyMemory<byte>> NextPartAsync(CancellationToken cancellationToken)
        {
            PipeReader reader = owner._pipe.Reader;
            if (_held > 0)
            {
                // Counted before the pipe may wake the loop's push, which reads the count: counted after, a
                // push could see the room and a stale count, and take more for buffered than the pipe holds.
                Interlocked.Add(ref owner._consumed, _held);
                reader.AdvanceTo(_partEnd);
                _held = 0;
            }
            while (true)
            {
                ReadResult read = await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
                ReadOnlySequence<byte> buffer = read.Buffer;
                if (!buffer.IsEmpty)
                {
                    ReadOnlyMemory<byte> first = buffer.First;
                    if (first.IsEmpty)
                    {
                        // A sequence may start with an empty segment: the part is its first non-empty one.
                        foreach (ReadOnlyMemory<byte> segment in buffer)
                        {
                            if (segment.IsEmpty) continue;
                            first = segment;
                            break;
                        }
                    }
                    _partEnd = buffer.GetPosition(first.Length);
                    _held = first.Length;
                    return first;
                }
                reader.AdvanceTo(buffer.End);
                if (read.IsCompleted) return default;
            }
        }
    }
}
