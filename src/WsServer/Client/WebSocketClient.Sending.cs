using System.Buffers;
using WsServer.Connections;
using WsServer.Protocol.Closing;
using WsServer.Protocol.Messages;
using WsServer.Protocol.Session;

namespace WsServer.Client;

/// <content>The write half: each send encodes one frame and writes it whole, in turn, under one lock.</content>
public sealed partial class WebSocketClient
{
    /// <summary>Sends a text message (compressed when permessage-deflate was agreed and it is long enough).</summary>
    /// <exception cref="InvalidOperationException">A close was sent or received: nothing more can be sent.</exception>
    public ValueTask SendAsync(string text, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(text);
        return SendAsync(MessageKind.Text, default, text, cancellationToken);
    }

    /// <summary>Sends a binary message.</summary>
    /// <exception cref="InvalidOperationException">A close was sent or received: nothing more can be sent.</exception>
    public ValueTask SendAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default) =>
        SendAsync(MessageKind.Binary, data, null, cancellationToken);

    /// <summary>Sends a message of the type given: <see cref="MessageType.Text"/> (UTF-8, not re-validated) or
    /// <see cref="MessageType.Binary"/>, as <see cref="SendAsync(Stream, MessageType, CancellationToken)"/> takes it.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The type is not text or binary.</exception>
    /// <exception cref="InvalidOperationException">A close was sent or received: nothing more can be sent.</exception>
    public ValueTask SendAsync(ReadOnlyMemory<byte> payload, MessageType type, CancellationToken cancellationToken = default) =>
        SendAsync(WebSocketConnection.DataKind(type), payload, null, cancellationToken);

    /// <summary>Sends a received message as it is, with its type, so an echo is one call:
    /// <c>await client.SendAsync(await client.ReceiveAsync())</c>. A streamed message is sent as it is read.</summary>
    /// <exception cref="ArgumentException">The message is a close, ping or pong: only text and binary are sent.</exception>
    /// <exception cref="InvalidOperationException">A close was sent or received: nothing more can be sent.</exception>
    public ValueTask SendAsync(WebSocketMessage message, CancellationToken cancellationToken = default)
    {
        if (message.Type is not (MessageType.Text or MessageType.Binary))
            throw new ArgumentException($"A {message.Type} message cannot be sent as a data message.", nameof(message));
        return message.IsStreamed
            ? new ValueTask(SendAsync(message.ReadPartsAsync(cancellationToken), message.Type, cancellationToken))
            : SendAsync(message.Payload, message.Type, cancellationToken);
    }

    /// <summary>Sends a text message given as UTF-8 bytes (not re-validated).</summary>
    /// <exception cref="InvalidOperationException">A close was sent or received: nothing more can be sent.</exception>
    public ValueTask SendTextAsync(ReadOnlyMemory<byte> utf8, CancellationToken cancellationToken = default) =>
        SendAsync(MessageKind.Text, utf8, null, cancellationToken);

    /// <summary>Sends a ping and completes with the round-trip time when its pong is read, which happens in
    /// <see cref="ReceiveAsync"/>: keep receiving meanwhile.</summary>
    /// <exception cref="InvalidOperationException">A close was sent or received, or the connection ended
    /// before the pong.</exception>
    /// <exception cref="TimeoutException">No pong came within <see cref="WebSocketClientOptions.PongTimeout"/>;
    /// the connection stays open.</exception>
    public async Task<TimeSpan> PingAsync(CancellationToken cancellationToken = default)
    {
        var pong = new TaskCompletionSource<TimeSpan>(TaskCreationOptions.RunContinuationsAsynchronously);
        ulong id;
        await _writing.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            id = EncodePing(pong);
            try
            {
                await WriteToStreamAsync(_output.WrittenMemory, cancellationToken).ConfigureAwait(false);
            }
            catch
            {
                _pings.Forget(id);
                throw;
            }
        }
        finally
        {
            _writing.Release();
        }
        return await _pings.WaitForPongAsync(id, pong.Task, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Runs the closing handshake (RFC 6455 §7.1.2): sends a close with <paramref name="code"/>
    /// (1000 unless given; null sends one without a status), after the sends before it, and returns the
    /// server's answer, read here or by the receive in progress. Messages read here before the answer are
    /// dropped (to print them all, call <see cref="SendCloseAsync"/> and keep receiving instead). When no
    /// answer comes within <see cref="WebSocketClientOptions.CloseTimeout"/>, the connection is cut and the
    /// result is 1006. When the connection had already closed, its close is returned.</summary>
    /// <exception cref="ArgumentException">The code may not be sent, or a reason was given without one.</exception>
    public async ValueTask<WebSocketMessage> CloseAsync(CloseCode? code = CloseCode.NormalClosure, string? reason = null,
        CancellationToken cancellationToken = default)
    {
        await SendCloseAsync(code, reason, cancellationToken).ConfigureAwait(false);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.CloseTimeout);
        try
        {
            if (Interlocked.CompareExchange(ref _receiving, ClosingReads, NotReading) != NotReading)
                return await _closed.Task.WaitAsync(timeout.Token).ConfigureAwait(false);
            try
            {
                while (true)
                {
                    WebSocketMessage message = await ReceiveCoreAsync(timeout.Token).ConfigureAwait(false);
                    if (message.Type == MessageType.Close) return message;
                }
            }
            finally
            {
                Volatile.Write(ref _receiving, NotReading);
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            Abort();
            return Ended(CloseCode.AbnormalClosure, "");
        }
    }

    /// <summary>Starts the closing handshake and returns once the close frame is written (the BCL's
    /// <c>CloseOutputAsync</c>): messages the server sent before its answer are still received, and
    /// <see cref="ReceiveAsync"/> then returns the answer. Does nothing when a close was already sent or
    /// received.</summary>
    /// <exception cref="ArgumentException">The code may not be sent, or a reason was given without one.</exception>
    public async ValueTask SendCloseAsync(CloseCode? code = CloseCode.NormalClosure, string? reason = null,
        CancellationToken cancellationToken = default)
    {
        await _writing.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            bool send;
            _output.ResetWrittenCount();
            lock (_state)
            {
                ObjectDisposedException.ThrowIf(_disposed, this);
                send = _session.State == SessionState.Open && _aborted == 0;
                if (send) _session.WriteClose(_output, code, reason);
            }
            if (send) await WriteToStreamAsync(_output.WrittenMemory, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _writing.Release();
        }
    }

    private async ValueTask SendAsync(MessageKind kind, ReadOnlyMemory<byte> payload, string? text, CancellationToken cancellationToken)
    {
        // After a message being sent in parts, never between its frames (RFC 6455 §5.4).
        await _messages.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await _writing.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            _messages.Release();
            throw;
        }
        try
        {
            Encode(kind, payload.Span, text);
            await WriteToStreamAsync(_output.WrittenMemory, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            // A large message's buffer is not kept for the small ones that usually follow.
            if (_output.Capacity > OutputKeptBytes) _output = new ArrayBufferWriter<byte>(4096);
            _writing.Release();
            _messages.Release();
        }
    }

    // Under _writing, which keeps each frame whole on the stream; OrderedEncoder keeps compressed messages in
    // the order their shared context saw them.
    private void Encode(MessageKind kind, ReadOnlySpan<byte> payload, string? text)
    {
        _output.ResetWrittenCount();
        var sink = new OutputSink(this);
        if (text is not null) OrderedEncoder.EncodeText(_session, ref sink, text);
        else OrderedEncoder.Encode(_session, ref sink, kind, payload);
    }

    // A frame goes into the output while the session is open; else the send throws.
    private readonly struct OutputSink(WebSocketClient client) : IFrameSink
    {
        public void EnterGate() => client._state.Enter();

        public void ExitGate() => client._state.Exit();

        public bool Admit(bool admitted)
        {
            client.EnsureOpen();
            return true;
        }

        public IBufferWriter<byte> Reserve(int frameLength) => client._output;
    }

    // Under _writing; throws once closing.
    private ulong EncodePing(TaskCompletionSource<TimeSpan> pong)
    {
        if (TryEncodePing(pong, out ulong id)) return id;
        lock (_state) EnsureOpen();
        throw new InvalidOperationException("The WebSocket connection is closing or closed: nothing more can be sent.");
    }

    // Under _writing: a tracked ping, its pong awaited by pong (none for a keep-alive's); false once closing.
    private bool TryEncodePing(TaskCompletionSource<TimeSpan>? pong, out ulong id)
    {
        _output.ResetWrittenCount();
        Span<byte> data = stackalloc byte[PingTracker.PayloadLength];
        lock (_state)
        {
            if (_disposed || _session.State != SessionState.Open || _aborted != 0)
            {
                id = 0;
                return false;
            }
            id = _pings.Begin(data, pong);
            _session.WritePing(_output, data);
            return true;
        }
    }

    // Under _state.
    private void EnsureOpen()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_session.State != SessionState.Open || _aborted != 0)
            throw new InvalidOperationException("The WebSocket connection is closing or closed: nothing more can be sent.");
    }

    // Under _writing.
    private async ValueTask WriteToStreamAsync(ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken)
    {
        try
        {
            await _stream.WriteAsync(bytes, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            Abort();
            throw;
        }
    }
}
