using System.Buffers;
using System.Text;
using WsServer.Diagnostics;
using WsServer.Handlers;
using WsServer.Protocol.Closing;
using WsServer.Protocol.Compression;
using WsServer.Protocol.Messages;
using WsServer.Protocol.Session;

namespace WsServer.Connections;

/// <summary>
/// The one owner of a connection's protocol state and of every frame it sends. The sans-IO
/// <see cref="ProtocolSession"/> inside is the only thing that knows whether the connection is open,
/// closing or closed, and the only encoder of its frames; the <see cref="Outbox"/> only holds the
/// bytes. Both are guarded by one gate, so "may this frame still be sent?" and "queue it" are one
/// step, whichever thread asks: nothing can follow a close frame (RFC 6455 §5.5.1).
/// </summary>
/// <remarks>The session loop reads under the gate too (the codec's automatic replies go straight
/// into the outbox), one read's bytes at a time. Compression, the one slow step of sending, runs
/// outside the gate, under a lock of its own that keeps compressed messages in the order their
/// shared context saw them (RFC 7692 §7.2.1): the protocol session's monitor (private to this class,
/// so nothing else locks it), rather than a lock object every connection would hold, compressing or not.</remarks>
internal sealed class LiveSession
{
    private const int MaxHeaderLength = 14;

    private readonly Lock _gate = new();
    private readonly ProtocolSession _protocol;
    private ConnectionClosed? _ending;
    private volatile bool _open = true; // written under the gate whenever the session may have left Open
    private CloseDeadline? _closing;

    private readonly ServerInstruments _metrics;

    public LiveSession(ProtocolOptions options, long sendQueueLimit, SlowConsumerPolicy slowConsumer, ServerInstruments metrics)
    {
        _protocol = new ProtocolSession(EndpointRole.Server, options);
        _metrics = metrics;
        Outbox = new Outbox(this, _gate, sendQueueLimit, metrics);
        SlowConsumer = slowConsumer;
    }

    public Outbox Outbox { get; }

    /// <summary>What a send does when the queue is over its limit.</summary>
    public SlowConsumerPolicy SlowConsumer { get; }

    /// <summary>True while messages may be sent: no close frame was sent or received. Read without the
    /// gate (the loop asks once per message): a snapshot, as any answer is by the time it is used.</summary>
    public bool IsOpen => _open && !Outbox.IsStopped;

    /// <summary>How the connection ended, once the session left the open state; null before.</summary>
    public ConnectionClosed? Ending
    {
        get { lock (_gate) return _ending; }
    }

    /// <summary>True when the send queue is at or over its limit (a snapshot, read without the gate).</summary>
    public bool IsOverLimit => Outbox.IsFullSnapshot;

    public long PendingBytes
    {
        get { lock (_gate) return Outbox.PendingBytes; }
    }

    /// <summary>Armed once, outside the gate, when this side's close frame is queued: the peer's answer
    /// is awaited from then on, up to the close timeout.</summary>
    public void OnClosing(CloseDeadline closing) => _closing = closing;

    /// <summary>Queues bytes that precede every frame: the 101 answer.</summary>
    public void QueueHandshakeAnswer(ReadOnlySpan<byte> answer)
    {
        lock (_gate)
        {
            answer.CopyTo(Outbox.GetSpan(answer.Length));
            Outbox.Advance(answer.Length);
        }
        Outbox.Signal(defer: false);
    }

    /// <summary>Reads the next event from <paramref name="input"/> (the session loop only). Pongs and
    /// close answers go into the outbox, woken at the loop's next flush.</summary>
    public OperationStatus TryReadEvent(ref ReadOnlySequence<byte> input, out ProtocolEvent evt)
    {
        OperationStatus status;
        bool replied;
        lock (_gate)
        {
            long queued = Outbox.PendingBytes;
            status = _protocol.TryReadEvent(ref input, Outbox, out evt);
            replied = Outbox.PendingBytes != queued;
            if (status != OperationStatus.NeedMoreData) NoteEnding(evt);
            SealWhenClosing();
        }
        if (replied) Outbox.Signal(defer: true);
        return status;
    }

    public SendStatus Send(MessageKind kind, ReadOnlySpan<byte> payload, bool ignoreLimit = false, bool defer = false)
    {
        if (_protocol.ShouldCompress(payload.Length)) return SendCompressed(kind, payload, ignoreLimit, defer);
        SendStatus status;
        lock (_gate)
        {
            status = Admit(ignoreLimit);
            if (status == SendStatus.Queued)
            {
                Outbox.Reserve(MaxHeaderLength + payload.Length);
                _protocol.WriteMessage(Outbox, kind, payload);
                _metrics.MessageSent();
            }
        }
        return Signal(status, defer);
    }

    public SendStatus SendText(ReadOnlySpan<char> text, bool ignoreLimit = false, bool defer = false)
    {
        int length = Encoding.UTF8.GetByteCount(text);
        if (_protocol.ShouldCompress(length))
        {
            byte[] utf8 = ArrayPool<byte>.Shared.Rent(length);
            try
            {
                Encoding.UTF8.GetBytes(text, utf8);
                return SendCompressed(MessageKind.Text, utf8.AsSpan(0, length), ignoreLimit, defer);
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(utf8);
            }
        }
        SendStatus status;
        lock (_gate)
        {
            status = Admit(ignoreLimit);
            if (status == SendStatus.Queued)
            {
                Outbox.Reserve(MaxHeaderLength + length);
                _protocol.WriteText(Outbox, text);
                _metrics.MessageSent();
            }
        }
        return Signal(status, defer);
    }

    /// <summary>Queues a message encoded once for many connections, by reference: its plain frame, or
    /// the compressed frame it shares with every session whose compressor starts each message afresh.</summary>
    public SendStatus SendPrepared(PreparedMessage message, bool ignoreLimit = false)
    {
        // Compressed once, by the first session that needs it, outside the gate.
        byte[] frame = message.FrameFor(_protocol.SharedDeflateFor(message.PayloadLength));
        SendStatus status;
        lock (_gate)
        {
            status = Admit(ignoreLimit);
            if (status == SendStatus.Queued)
            {
                Outbox.QueueShared(frame);
                _metrics.MessageSent();
            }
        }
        return Signal(status, defer: false);
    }

    /// <summary>Queues a ping or pong of at most 125 bytes (checked by the caller), ahead of the limit.</summary>
    public SendStatus SendControl(bool ping, ReadOnlySpan<byte> payload, bool defer = false)
    {
        SendStatus status;
        lock (_gate)
        {
            status = Admit(ignoreLimit: true);
            if (status == SendStatus.Queued && ping) _protocol.WritePing(Outbox, payload);
            else if (status == SendStatus.Queued) _protocol.WritePong(Outbox, payload);
        }
        return Signal(status, defer);
    }

    /// <summary>Starts the closing handshake from this side; false when the session was no longer open.</summary>
    /// <exception cref="ArgumentException">The code may not be sent, or a reason was given without one.</exception>
    public bool Close(CloseCode? code, string? reason, Exception? error = null)
    {
        lock (_gate)
        {
            if (_protocol.State != SessionState.Open || Outbox.IsStopped) return false;
            _protocol.WriteClose(Outbox, code, reason);
            _ending = new ConnectionClosed(code, reason ?? "", CloseInitiator.Server, error);
            SealWhenClosing();
        }
        Outbox.Signal(defer: false);
        _closing?.Arm();
        return true;
    }

    /// <summary>Ends the connection for an exception it cannot go on from: 1011 when still open (the peer
    /// learns only that the server failed), else the error is kept with the ending.</summary>
    public void Fail(Exception error)
    {
        if (!Close(CloseCode.InternalError, "internal error", error)) TransportEnded(error);
    }

    /// <summary>The transport ended or failed: the ending is 1006 unless a close was already exchanged.</summary>
    public void TransportEnded(Exception? error)
    {
        lock (_gate) _ending ??= new ConnectionClosed(CloseCode.AbnormalClosure, "", CloseInitiator.Transport, error);
    }

    /// <summary>Returns the session's buffers and zlib state; the session is closed afterwards.</summary>
    public void Release()
    {
        lock (_protocol)
        {
            lock (_gate)
            {
                _ending ??= new ConnectionClosed(CloseCode.AbnormalClosure, "", CloseInitiator.Transport);
                _protocol.Dispose();
                _open = false;
            }
        }
        Outbox.Stop();
    }

    private SendStatus SendCompressed(MessageKind kind, ReadOnlySpan<byte> payload, bool ignoreLimit, bool defer)
    {
        SendStatus status;
        lock (_protocol)
        {
            lock (_gate) status = Admit(ignoreLimit);
            if (status == SendStatus.Queued)
            {
                using CompressedPayload compressed = _protocol.Compress(payload);
                lock (_gate)
                {
                    // Admitted above; only a close in the meantime can refuse it now.
                    status = Admit(ignoreLimit: true);
                    if (status == SendStatus.Queued)
                    {
                        Outbox.Reserve(MaxHeaderLength + compressed.Span.Length);
                        _protocol.WriteMessage(Outbox, kind, compressed);
                        _metrics.MessageSent();
                    }
                }
            }
        }
        // Outside the compression lock: the next message's deflate need not wait for this send.
        return Signal(status, defer);
    }

    // Under the gate.
    private SendStatus Admit(bool ignoreLimit)
    {
        if (_protocol.State != SessionState.Open || Outbox.IsStopped) return SendStatus.Closed;
        if (ignoreLimit || !Outbox.IsFull) return SendStatus.Queued;
        Outbox.NoteOverflow();
        return SendStatus.QueueFull;
    }

    private SendStatus Signal(SendStatus status, bool defer)
    {
        if (status == SendStatus.Queued) Outbox.Signal(defer);
        else if (status == SendStatus.QueueFull) return Overflow();
        return status;
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

    // Under the gate: the peer's close or a violation ends the session; the first ending recorded wins,
    // so a close we started stays ours when the peer's answer arrives.
    private void NoteEnding(in ProtocolEvent evt)
    {
        if (evt.Kind == ProtocolEventKind.Close)
            _ending ??= new ConnectionClosed(evt.CloseCode, evt.CloseReason ?? "", CloseInitiator.Peer);
        else if (evt.Kind == ProtocolEventKind.Violation)
            _ending ??= new ConnectionClosed(evt.CloseCode, evt.CloseReason ?? "", CloseInitiator.Server);
    }

    // Under the gate: once the session is not open, what is queued is all there will be.
    private void SealWhenClosing()
    {
        if (_protocol.State == SessionState.Open) return;
        Outbox.Seal();
        _open = false;
    }
}
