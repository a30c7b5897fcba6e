using System.IO.Pipelines;
using WsServer.Connections;
using WsServer.Protocol.Messages;
using WsServer.Protocol.Session;

namespace WsServer.Client;

/// <content>Messages in parts: received as they arrive (<see cref="WebSocketClientOptions.StreamMessages"/>), and
/// sent from a source read as it goes. A message in parts holds the turn of data messages (<c>_messages</c>) from
/// its first frame to its last, and the write lock only for each frame, so the automatic pongs, pings and a close
/// can go between its frames (RFC 6455 §5.5) while other messages wait for its end (§5.4).</content>
public sealed partial class WebSocketClient
{
    // Data messages in turn: a message sent in parts holds it throughout, a whole message while it is written.
    private readonly SemaphoreSlim _messages = new(1, 1);
    private ClientBody? _body; // the reader only: the streamed message last returned

    /// <summary>Sends one message read from <paramref name="source"/> to its end, as it is read: frames of at
    /// most 64 KiB (the first with the message's type, FIN on an empty last one), uncompressed. Pings, pongs and
    /// a close may go between its frames; other messages wait for its last one. The stream is not disposed.</summary>
    /// <param name="source">Read with <c>ReadAsync</c> until it returns 0.</param>
    /// <param name="type"><see cref="MessageType.Text"/> (UTF-8; not checked) or <see cref="MessageType.Binary"/>.</param>
    /// <param name="cancellationToken">Stops the send; a message cut short leaves the server waiting for its end.</param>
    /// <exception cref="InvalidOperationException">A close was sent or received before the last frame.</exception>
    public Task SendAsync(Stream source, MessageType type, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(source);
        return SendAsync(PartSender.FromStream(source, cancellationToken), type, cancellationToken);
    }

    /// <summary>Sends one message read from <paramref name="source"/> until its writer completes, as
    /// <see cref="SendAsync(Stream, MessageType, CancellationToken)"/> does. The reader is not completed.</summary>
    /// <param name="source">Read until a read result is completed or canceled.</param>
    /// <param name="type"><see cref="MessageType.Text"/> or <see cref="MessageType.Binary"/>.</param>
    /// <param name="cancellationToken">Stops the send.</param>
    /// <exception cref="InvalidOperationException">A close was sent or received before the last frame.</exception>
    public Task SendAsync(PipeReader source, MessageType type, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(source);
        return SendAsync(PartSender.FromPipe(source, cancellationToken), type, cancellationToken);
    }

    /// <summary>Sends one message made of <paramref name="parts"/>, as
    /// <see cref="SendAsync(Stream, MessageType, CancellationToken)"/> does; each part is written before the next
    /// is asked for, so a producer may reuse its buffer.</summary>
    /// <param name="parts">The message's bytes in order; a part over 64 KiB goes in several frames.</param>
    /// <param name="type"><see cref="MessageType.Text"/> or <see cref="MessageType.Binary"/>.</param>
    /// <param name="cancellationToken">Stops the send.</param>
    /// <exception cref="InvalidOperationException">A close was sent or received before the last frame.</exception>
    public async Task SendAsync(IAsyncEnumerable<ReadOnlyMemory<byte>> parts, MessageType type, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(parts);
        var writer = new StreamPartWriter(this, WebSocketConnection.DataKind(type));
        await _messages.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await PartSender.SendAsync(writer, parts, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _messages.Release();
        }
    }

    // One frame of a message in parts, under the write lock for that frame only.
    private async ValueTask WritePartAsync(MessageKind kind, ReadOnlyMemory<byte> payload, bool first, bool last,
        CancellationToken cancellationToken)
    {
        await _writing.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            _output.ResetWrittenCount();
            lock (_state)
            {
                EnsureOpen();
                _session.WriteMessagePart(_output, kind, payload.Span, first, last);
            }
            await WriteToStreamAsync(_output.WrittenMemory, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            if (_output.Capacity > OutputKeptBytes) _output = new System.Buffers.ArrayBufferWriter<byte>(4096);
            _writing.Release();
        }
    }

    private sealed class StreamPartWriter(WebSocketClient client, MessageKind kind) : IPartWriter
    {
        public ValueTask WriteAsync(ReadOnlyMemory<byte> payload, bool first, bool last, CancellationToken cancellationToken) =>
            client.WritePartAsync(kind, payload, first, last, cancellationToken);
    }

    /// <summary>A streamed message being received: its first part came with it, the rest are read from the
    /// connection when asked for, as the one reader.</summary>
    private sealed class ClientBody(WebSocketClient client, ReadOnlyMemory<byte> first, bool ended) : MessageBody
    {
        private ReadOnlyMemory<byte> _first = first; // valid until the next read of the connection
        private bool _ended = ended;

        protected override async ValueTask<ReadOnlyMemory<byte>> NextPartAsync(CancellationToken cancellationToken)
        {
            if (!_first.IsEmpty)
            {
                ReadOnlyMemory<byte> part = _first;
                _first = default;
                return part;
            }
            if (_ended) return default;
            if (Interlocked.CompareExchange(ref client._receiving, Receiving, NotReading) != NotReading)
                throw new InvalidOperationException("A receive is in progress: a connection has one reader.");
            try
            {
                return await ReadPartAsync(cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                Volatile.Write(ref client._receiving, NotReading);
            }
        }

        /// <summary>Skips what is left of the message (the reader only).</summary>
        public async ValueTask SkipRestAsync(CancellationToken cancellationToken)
        {
            Detach();
            _first = default;
            while (!(await ReadPartAsync(cancellationToken).ConfigureAwait(false)).IsEmpty)
            {
            }
        }

        // The reader only: the next non-empty part of this message; empty at its end.
        private async ValueTask<ReadOnlyMemory<byte>> ReadPartAsync(CancellationToken cancellationToken)
        {
            while (!_ended)
            {
                if (await client.NextDataEventAsync(cancellationToken).ConfigureAwait(false) is not { } evt)
                    throw new IOException("The WebSocket connection closed before the message ended.");
                _ended = evt.Kind == ProtocolEventKind.Message;
                if (!evt.Payload.IsEmpty) return evt.Payload;
            }
            return default;
        }
    }
}
