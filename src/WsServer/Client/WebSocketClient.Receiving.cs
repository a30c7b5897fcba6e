using System.Buffers;
using System.Text;
using WsServer.Connections;
using WsServer.Protocol.Closing;
using WsServer.Protocol.Messages;
using WsServer.Protocol.Session;

namespace WsServer.Client;

/// <content>The one reader: frames in, whole messages out; the session's automatic replies go out in turn
/// with the sends.</content>
public sealed partial class WebSocketClient
{
    private readonly ArrayBufferWriter<byte> _replies = new(256);
    private readonly TaskCompletionSource<WebSocketMessage> _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly PingTracker _pings;
    private byte[] _buffer;
    private int _start;
    private int _end;
    // Who reads: nobody, a ReceiveAsync, or CloseAsync waiting for the server's answer.
    private const int NotReading = 0, Receiving = 1, ClosingReads = 2;
    private int _receiving;

    /// <summary>Receives the next whole message: text, binary, or the close (<see cref="MessageType.Close"/>,
    /// with <see cref="WebSocketMessage.CloseCode"/> and the reason as the payload), which ends the stream
    /// of messages and is what every later call returns.</summary>
    /// <remarks>
    /// <para>The close is the server's (already echoed), or the answer to <see cref="CloseAsync"/>, or the one
    /// this client sent because the server broke the protocol (1002, 1007, 1009 for a message over
    /// <see cref="WebSocketClientOptions.MaxMessageSize"/>), or 1006 (<see cref="CloseCode.AbnormalClosure"/>)
    /// when the connection ended without one (end of stream, a reset, or the transport cut by a failed write).
    /// <see cref="WebSocketMessage.Initiator"/> says which: the server's close, this client's, or none.</para>
    /// <para>The payload is borrowed from the client: valid until the next receive or dispose, so copy what
    /// must outlive it. Pings are answered and pongs noted here; neither is returned.</para>
    /// <para>With <see cref="WebSocketClientOptions.StreamMessages"/>, a data message is returned at its first part,
    /// to be read through <see cref="WebSocketMessage.Body"/> before the next receive, which skips what is left.</para>
    /// <para>A receive cancelled while it waits for data may leave the connection unusable (a TLS stream
    /// cannot resume a cancelled read): dispose the client then.</para>
    /// </remarks>
    /// <exception cref="InvalidOperationException">Another receive is in progress. (While <see cref="CloseAsync"/>
    /// reads the server's answer, a receive waits for it and returns that close.)</exception>
    public async ValueTask<WebSocketMessage> ReceiveAsync(CancellationToken cancellationToken = default)
    {
        switch (Interlocked.CompareExchange(ref _receiving, Receiving, NotReading))
        {
            case Receiving:
                throw new InvalidOperationException("A receive is already in progress: a connection has one reader.");
            case ClosingReads:
                // CloseAsync is reading until the server's answer, the only thing left to receive.
                return await _closed.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        try
        {
            return await ReceiveCoreAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            Volatile.Write(ref _receiving, NotReading);
        }
    }

    // The reader only (_receiving held).
    private async ValueTask<WebSocketMessage> ReceiveCoreAsync(CancellationToken cancellationToken)
    {
        if (_body is { } previous)
        {
            // Streaming: what the caller left unread of the last message is skipped.
            _body = null;
            await previous.SkipRestAsync(cancellationToken).ConfigureAwait(false);
        }
        if (await NextDataEventAsync(cancellationToken).ConfigureAwait(false) is not { } evt) return _closed.Task.Result;
        var type = evt.MessageKind == MessageKind.Text ? MessageType.Text : MessageType.Binary;
        if (!_options.StreamMessages) return new WebSocketMessage(type, evt.Payload);
        _body = new ClientBody(this, evt.Payload, ended: evt.Kind == ProtocolEventKind.Message);
        return new WebSocketMessage(type, _body);
    }

    // The reader only: the next message, or part of one when streaming (its payload valid until the next read),
    // or null once the connection has closed (_closed then holds how).
    private async ValueTask<ProtocolEvent?> NextDataEventAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            if (_closed.Task.IsCompletedSuccessfully) return null;
            if (_end > _start)
            {
                var input = new ReadOnlySequence<byte>(_buffer, _start, _end - _start);
                OperationStatus status;
                ProtocolEvent evt;
                bool endsSession, wasOpen;
                lock (_state)
                {
                    ObjectDisposedException.ThrowIf(_disposed, this);
                    _replies.ResetWrittenCount();
                    wasOpen = _session.State == SessionState.Open;
                    status = _session.TryReadEvent(ref input, _replies, out evt);
                    endsSession = wasOpen && _session.State == SessionState.Closed;
                }
                _start = _end - (int)input.Length;
                // The server's close, or the failing close for its violation, ends the messages even if
                // the answer cannot be written.
                if (status != OperationStatus.NeedMoreData && evt.Kind is ProtocolEventKind.Close or ProtocolEventKind.Violation)
                    Ended(evt.CloseCode, evt.CloseReason ?? "",
                        evt.Kind == ProtocolEventKind.Close && wasOpen ? CloseInitiator.Peer : CloseInitiator.Local);
                if (_replies.WrittenCount > 0) await WriteRepliesAsync(endsSession, cancellationToken).ConfigureAwait(false);
                if (status != OperationStatus.NeedMoreData)
                {
                    switch (evt.Kind)
                    {
                        case ProtocolEventKind.Message or ProtocolEventKind.MessagePart:
                            return evt;
                        case ProtocolEventKind.Pong:
                            _pings.OnPong(evt.Payload.Span);
                            continue;
                        case ProtocolEventKind.Ping:
                            continue;
                        default:
                            return null;
                    }
                }
            }

            // Only an incomplete frame header (at most 14 bytes) is left unconsumed: move it to the front.
            if (_start > 0)
            {
                _buffer.AsSpan(_start, _end - _start).CopyTo(_buffer);
                _end -= _start;
                _start = 0;
            }
            int read;
            try
            {
                read = await _stream.ReadAsync(_buffer.AsMemory(_end), cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is IOException || (ex is ObjectDisposedException && _aborted != 0))
            {
                // A reset, or the transport cut here (a failed write, the close timeout, dispose).
                Abort();
                Ended(CloseCode.AbnormalClosure, "");
                return null;
            }
            if (read == 0)
            {
                Ended(CloseCode.AbnormalClosure, "");
                return null;
            }
            _end += read;
            NoteRead();
        }
    }

    /// <summary>Writes the session's automatic replies (a pong, the close echo, a failing close) in turn
    /// with the sends.</summary>
    private async ValueTask WriteRepliesAsync(bool endsSession, CancellationToken cancellationToken)
    {
        await _writing.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            // A pong written by the session before a send's close went out may not follow that close
            // (§5.5.1); a close echo or a failing close ends the session, so nothing was sent after it.
            lock (_state)
            {
                if (!endsSession && _session.State != SessionState.Open) return;
            }
            await WriteToStreamAsync(_replies.WrittenMemory, cancellationToken).ConfigureAwait(false);
        }
        catch (IOException)
        {
            // The transport is cut (WriteToStreamAsync aborted it): the next read ends the messages with 1006.
        }
        finally
        {
            _writing.Release();
        }
    }

    /// <summary>The end of the messages, once: every later receive returns it, and pings wait no more.
    /// Without an initiator, the connection ended without a closing handshake.</summary>
    private WebSocketMessage Ended(CloseCode? code, string reason, CloseInitiator initiator = CloseInitiator.Transport)
    {
        _closed.TrySetResult(new WebSocketMessage(MessageType.Close, Encoding.UTF8.GetBytes(reason), code, initiator));
        StopKeepAlive();
        _pings.FailAll(static () => new InvalidOperationException("The WebSocket connection closed before the pong arrived."));
        return _closed.Task.Result;
    }
}
