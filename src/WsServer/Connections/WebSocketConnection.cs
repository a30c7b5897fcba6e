using WsServer.Protocol.Closing;
using WsServer.Protocol.Framing;

namespace WsServer.Connections;

/// <summary>
/// The reference to a connection that a handler keeps (the seed's worker reference). Every method is
/// safe to call from any thread at any time; frames go out in the order the calls were made, in order
/// with the results of the handler. When the send queue is over its limit, <c>SendAsync</c> waits and
/// <c>TrySend</c> returns <see cref="SendStatus.QueueFull"/>. Once the connection is closing, sends
/// throw <see cref="ConnectionClosedException"/> or return <see cref="SendStatus.Closed"/>.
/// </summary>
public sealed class WebSocketConnection
{
    private readonly Outbox _outbox;
    private readonly Action<CloseCode?, string?> _onCloseQueued;
    private readonly TaskCompletionSource _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);

    internal WebSocketConnection(ConnectionInfo info, Outbox outbox, Action<CloseCode?, string?> onCloseQueued)
    {
        Info = info;
        _outbox = outbox;
        _onCloseQueued = onCloseQueued;
    }

    /// <summary>Who connected, and how.</summary>
    public ConnectionInfo Info { get; }

    /// <summary>Shorthand for <see cref="ConnectionInfo.Id"/>.</summary>
    public long Id => Info.Id;

    /// <summary>True until a close frame is queued (by either side) or the transport fails.</summary>
    public bool IsOpen => !_outbox.IsCloseQueued;

    /// <summary>Bytes queued for this peer and not yet written to the socket.</summary>
    public long PendingSendBytes => _outbox.PendingBytes;

    /// <summary>Completes when the connection has ended and the handler's closed callback has run.</summary>
    public Task Completion => _completion.Task;

    /// <summary>Queues a text message, waiting while the send queue is full.</summary>
    public ValueTask SendAsync(string text, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(text);
        return SendAsync(static (o, t) => o.TryWriteText(t.Span, ignoreLimit: true), text.AsMemory(), cancellationToken);
    }

    /// <summary>Queues a binary message, waiting while the send queue is full. The bytes are copied.</summary>
    public ValueTask SendAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default) =>
        SendAsync(static (o, d) => o.TryWriteFrame(Opcode.Binary, d.Span, ignoreLimit: true), data, cancellationToken);

    /// <summary>Queues a text message given as UTF-8 bytes (not re-validated), waiting while the queue is full.</summary>
    public ValueTask SendTextAsync(ReadOnlyMemory<byte> utf8, CancellationToken cancellationToken = default) =>
        SendAsync(static (o, d) => o.TryWriteFrame(Opcode.Text, d.Span, ignoreLimit: true), utf8, cancellationToken);

    /// <summary>Queues a message encoded once for many connections, waiting while the queue is full.</summary>
    public ValueTask SendAsync(PreparedMessage message, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        return SendAsync(static (o, f) => o.TryWriteEncoded(f.Span, endsWithClose: false, ignoreLimit: true),
            message.Frame, cancellationToken);
    }

    /// <summary>Queues a text message unless the queue is full or the connection closing.</summary>
    public SendStatus TrySend(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return _outbox.TryWriteText(text);
    }

    /// <summary>Queues a binary message unless the queue is full or the connection closing.</summary>
    public SendStatus TrySend(ReadOnlySpan<byte> data) => _outbox.TryWriteFrame(Opcode.Binary, data);

    /// <summary>Queues a UTF-8 text message unless the queue is full or the connection closing.</summary>
    public SendStatus TrySendText(ReadOnlySpan<byte> utf8) => _outbox.TryWriteFrame(Opcode.Text, utf8);

    /// <summary>Queues a prepared message unless the queue is full or the connection closing.</summary>
    public SendStatus TrySend(PreparedMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        return _outbox.TryWriteEncoded(message.Frame.Span, endsWithClose: false);
    }

    /// <summary>Queues a ping with up to 125 bytes of data (ahead of the queue limit: control frames are small).</summary>
    public SendStatus Ping(ReadOnlySpan<byte> data = default) => _outbox.TryWriteFrame(Opcode.Ping, CheckControl(data), ignoreLimit: true);

    /// <summary>Queues an unsolicited pong with up to 125 bytes of data.</summary>
    public SendStatus Pong(ReadOnlySpan<byte> data = default) => _outbox.TryWriteFrame(Opcode.Pong, CheckControl(data), ignoreLimit: true);

    /// <summary>Starts the closing handshake: queues a close frame after everything already queued;
    /// the connection ends when the peer answers or the close timeout passes. A null code sends a
    /// close frame without a status. Returns false when the connection was already closing.
    /// To wait for the end, await <see cref="Completion"/> — but not from inside the handler's own
    /// callbacks, which the end waits for.</summary>
    public bool Close(CloseCode? code = CloseCode.NormalClosure, string? reason = null)
    {
        if (!_outbox.TryWriteClose(code, reason)) return false;
        _onCloseQueued(code, reason);
        return true;
    }

    internal void Complete() => _completion.TrySetResult();

    private async ValueTask SendAsync<T>(Func<Outbox, T, SendStatus> write, T payload, CancellationToken cancellationToken)
    {
        // The queue limit is soft: wait until under it, then queue regardless of size, so one
        // message larger than the limit can still be sent.
        await _outbox.WaitForSpaceAsync(cancellationToken).ConfigureAwait(false);
        if (write(_outbox, payload) != SendStatus.Queued) throw new ConnectionClosedException(Id);
    }

    private static ReadOnlySpan<byte> CheckControl(ReadOnlySpan<byte> data)
    {
        // RFC 6455 §5.5: "All control frames MUST have a payload length of 125 bytes or less".
        if (data.Length > 125) throw new ArgumentException("A control frame carries at most 125 bytes.", nameof(data));
        return data;
    }
}
