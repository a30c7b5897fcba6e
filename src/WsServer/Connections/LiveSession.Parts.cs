using WsServer.Protocol.Messages;

namespace WsServer.Connections;

// Sending a message in parts. Its frames go straight into the queue, where control frames (pongs, pings, the
// close) may come between them (RFC 6455 §5.5); other data messages may not (§5.4), so while it is sent they
// are encoded into a held queue and join the send queue after its last frame. One such message at a time.
// A streamed message goes uncompressed (RFC 7692 lets each message choose): compressing it would hold the
// shared compression context, and with it every other compressed send, for as long as its source takes.
internal sealed partial class LiveSession
{
    private SemaphoreSlim? _partSenders; // made at the first message sent in parts
    private SendQueue? _held;            // under the gate: data messages queued while parts are sent
    private bool _sendingParts;          // under the gate

    /// <summary>True while a message is being sent in parts (a snapshot).</summary>
    public bool IsSendingParts => Volatile.Read(ref _sendingParts);

    /// <summary>Sends one message in parts, after any other being sent so; throws
    /// <see cref="ConnectionClosedException"/> when the connection closes before its last frame is queued.</summary>
    public async Task SendPartsAsync(long connectionId, MessageKind kind, IAsyncEnumerable<ReadOnlyMemory<byte>> parts,
        CancellationToken cancellationToken)
    {
        SemaphoreSlim senders = LazyInitializer.EnsureInitialized(ref _partSenders, static () => new SemaphoreSlim(1, 1));
        await senders.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            using (_gate.Hold())
            {
                if (!IsOpen) throw new ConnectionClosedException(connectionId);
                _held ??= _queue.Sibling();
                Volatile.Write(ref _sendingParts, true);
            }
            await PartSender.SendAsync(new QueuePartWriter(this, connectionId, kind), parts, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            EndParts();
            senders.Release();
        }
    }

    /// <summary>Completes when no message is being sent in parts: a whole message sent asynchronously waits
    /// for that rather than grow the held queue.</summary>
    public async ValueTask WhenPartsSentAsync(CancellationToken cancellationToken)
    {
        if (_partSenders is not { } senders) return;
        await senders.WaitAsync(cancellationToken).ConfigureAwait(false);
        senders.Release();
    }

    // Under the gate: where a data message's frame goes now.
    private SendQueue DataQueue => _sendingParts ? _held! : _queue;

    // Under the gate: the held queue is bounded by the limit too.
    private bool IsDataQueueFull => _queue.IsFull || (_sendingParts && _held!.IsFull);

    // The last frame is queued (or the send failed): what was held follows it, or is dropped once closing.
    private void EndParts()
    {
        bool write = false;
        using (_gate.Hold())
        {
            if (!_sendingParts) return;
            Volatile.Write(ref _sendingParts, false);
            if (IsOpen)
            {
                write = !_held!.IsEmpty && _writer.Claim();
                _queue.Append(_held);
            }
            else _held!.Drop()?.TrySetResult();
        }
        if (write) _writer.WriteClaimed();
    }

    private async ValueTask WritePartAsync(long connectionId, MessageKind kind, ReadOnlyMemory<byte> payload, bool first, bool last,
        CancellationToken cancellationToken)
    {
        // Whatever the slow-consumer policy, a part waits for room: a message cannot be dropped frame by frame.
        await WaitForSpaceAsync(cancellationToken).ConfigureAwait(false);
        bool write;
        using (_gate.Hold())
        {
            if (!IsOpen) throw new ConnectionClosedException(connectionId);
            _queue.Reserve(payload.Length + 14);
            _protocol.WriteMessagePart(_queue, kind, payload.Span, first, last);
            if (last) _metrics.MessageSent();
            write = _writer.Claim();
        }
        if (write) _writer.WriteClaimed();
    }

    private sealed class QueuePartWriter(LiveSession session, long connectionId, MessageKind kind) : IPartWriter
    {
        public ValueTask WriteAsync(ReadOnlyMemory<byte> payload, bool first, bool last, CancellationToken cancellationToken) =>
            session.WritePartAsync(connectionId, kind, payload, first, last, cancellationToken);
    }
}
