using System.Buffers;
using WsServer.Diagnostics;
using WsServer.Protocol.Closing;
using WsServer.Protocol.Compression;
using WsServer.Protocol.Messages;
using WsServer.Protocol.Framing;
using WsServer.Protocol.Session;
using WsServer.Transport;

namespace WsServer.Connections;

/// <summary>
/// A connection's life in one place: its <see cref="Lifecycle"/>, the sans-IO <see cref="ProtocolSession"/>
/// that encodes every frame it sends and decodes every frame it reads, the queue of bytes for the peer and
/// the one writer of that queue to the transport. The queue and the writer are private to it: nothing else
/// reaches them. All of it is guarded by one gate, so "may this frame still be sent?" and "queue it" are
/// one step, whichever thread asks: nothing can follow a close frame (RFC 6455 §5.5.1).
/// </summary>
/// <remarks>The session loop reads data messages without the gate (they touch only the reading side of the
/// protocol session, which only the loop uses) and control frames under it (the codec's automatic replies go
/// straight into the queue). Compression, the one slow step of sending, runs outside the gate,
/// under a lock of its own that keeps compressed messages in the order their shared context saw them
/// (RFC 7692 §7.2.1): the protocol session's monitor (private to this class, so nothing else locks it),
/// rather than a lock object every connection would hold, compressing or not.</remarks>
internal sealed partial class LiveSession : IWriteSource
{
    private SpinLock _gate = new(enableThreadOwnerTracking: false); // see GateScope
    private readonly ProtocolSession _protocol;
    private readonly SendQueue _queue;
    private readonly SocketWriter _writer;
    private readonly ServerInstruments _metrics;
    private volatile int _lifecycle; // a Lifecycle; written under the gate, read anywhere as a snapshot
    private ConnectionClosed? _ending;
    private ICloseDeadline? _closing;
    private Mailbox? _drained;
    private bool _lastOfRead; // the message the loop acts on is the last its read holds (see TrySendAtOnce)

    public LiveSession(ProtocolOptions options, long sendQueueLimit, SlowConsumerPolicy slowConsumer, ServerInstruments metrics)
    {
        _protocol = new ProtocolSession(EndpointRole.Server, options);
        _metrics = metrics;
        _queue = new SendQueue(sendQueueLimit);
        _writer = new SocketWriter(this);
        SlowConsumer = slowConsumer;
    }

    ref SpinLock IWriteSource.Gate => ref _gate;

    ServerInstruments IWriteSource.Metrics => _metrics;

    /// <summary>What a send does when the queue is over its limit.</summary>
    public SlowConsumerPolicy SlowConsumer { get; }

    /// <summary>True while messages may be sent: no close frame was sent or received and writing goes on.</summary>
    public bool IsOpen => _lifecycle == (int)Lifecycle.Open;

    /// <summary>True once the connection's end is being handled: its mailbox and subscriptions are closed.</summary>
    public bool HasEnded => _lifecycle >= (int)Lifecycle.Ended;

    /// <summary>How the connection ended, once the session left the open state; null before.</summary>
    public ConnectionClosed? Ending
    {
        get { using (_gate.Hold()) return _ending; }
    }

    /// <summary>Armed once, outside the gate, when this side's close frame is queued: the peer's answer
    /// is awaited from then on, up to the close timeout.</summary>
    public void OnClosing(ICloseDeadline closing) => _closing = closing;

    /// <summary>Reads the next message when it is the usual small frame (the session loop only, before
    /// <see cref="TryReadEvent"/>): without the gate and without an event (<see cref="ProtocolSession.TryReadSmallDataMessage"/>).</summary>
    public bool TryReadSmallMessage(ref ReadOnlySequence<byte> input, out MessageKind kind, out ReadOnlyMemory<byte> payload)
    {
        if (!_protocol.TryReadSmallDataMessage(ref input, out kind, out payload)) return false;
        _lastOfRead = input.IsEmpty;
        return true;
    }

    /// <summary>Reads the next event from <paramref name="input"/> (the session loop only). Pongs and
    /// close answers are queued, and written at the loop's next flush.</summary>
    public OperationStatus TryReadEvent(ref ReadOnlySequence<byte> input, out ProtocolEvent evt)
    {
        // A data message asks nothing of the writing side: read without the gate, which senders take to encode.
        OperationStatus status = _protocol.TryReadDataEvent(ref input, out evt);
        if (status == OperationStatus.DestinationTooSmall) status = TryReadEventUnderGate(ref input, out evt);
        _lastOfRead = input.IsEmpty;
        return status;
    }

    // A control frame, or a frame that ends the session: its automatic reply goes straight into the queue.
    private OperationStatus TryReadEventUnderGate(ref ReadOnlySequence<byte> input, out ProtocolEvent evt)
    {
        OperationStatus status;
        bool replied;
        using (_gate.Hold())
        {
            long queued = _queue.PendingBytes;
            status = _protocol.TryReadEvent(ref input, _queue, out evt);
            replied = _queue.PendingBytes != queued;
            if (status != OperationStatus.NeedMoreData) NoteEnding(evt);
            LeaveOpenWhenClosing();
        }
        if (replied) _writer.Defer();
        return status;
    }

    /// <summary>Starts the closing handshake from this side; false when the session was no longer open.</summary>
    /// <exception cref="ArgumentException">The code may not be sent, or a reason was given without one.</exception>
    public bool Close(CloseCode? code, string? reason, Exception? error = null)
    {
        bool write;
        using (_gate.Hold())
        {
            if (!IsOpen) return false;
            _protocol.WriteClose(_queue, code, reason);
            _ending = new ConnectionClosed(code, reason ?? "", CloseInitiator.Local, error);
            LeaveOpenWhenClosing();
            write = _writer.Claim();
        }
        if (write) _writer.WriteClaimed();
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
        using (_gate.Hold()) NoteTransportEnded(error);
    }

    /// <summary>The connection's end is being handled: no more sends, mail or subscriptions.</summary>
    public void End()
    {
        using (_gate.Hold()) MoveTo(Lifecycle.Ended);
    }

    /// <summary>Gives back the session's buffers and zlib state, and stops writing.</summary>
    public void Release()
    {
        lock (_protocol)
        {
            using (_gate.Hold())
            {
                NoteTransportEnded(null);
                _protocol.Dispose();
                MoveTo(Lifecycle.Ended);
            }
        }
        StopWriting();
    }

    // Under the gate.
    private void MoveTo(Lifecycle next)
    {
        if ((int)next > _lifecycle) _lifecycle = (int)next;
    }

    // Under the gate: 1006, unless a close was already exchanged or the connection failed otherwise first.
    private void NoteTransportEnded(Exception? error) =>
        _ending ??= new ConnectionClosed(CloseCode.AbnormalClosure, "", CloseInitiator.Transport, error);

    // Under the gate: the peer's close or a violation ends the session; the first ending recorded wins,
    // so a close we started stays ours when the peer's answer arrives.
    private void NoteEnding(in ProtocolEvent evt)
    {
        if (evt.Kind == ProtocolEventKind.Close)
            _ending ??= new ConnectionClosed(evt.CloseCode, evt.CloseReason ?? "", CloseInitiator.Peer);
        else if (evt.Kind == ProtocolEventKind.Violation)
            _ending ??= new ConnectionClosed(evt.CloseCode, evt.CloseReason ?? "", CloseInitiator.Local);
    }

    // Under the gate: once the protocol is not open, what is queued is all there will be.
    private void LeaveOpenWhenClosing()
    {
        if (_protocol.State != SessionState.Open) MoveTo(Lifecycle.Closing);
    }
}
