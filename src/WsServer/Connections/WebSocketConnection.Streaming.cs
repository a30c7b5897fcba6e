using System.IO.Pipelines;
using WsServer.Protocol.Messages;

namespace WsServer.Connections;

/// <content>Sending one message in parts, from a source read as it is sent.</content>
public sealed partial class WebSocketConnection
{
    /// <summary>Sends one message read from <paramref name="source"/> to its end, as it is read: frames of at
    /// most 64 KiB (the first with the message's type, FIN on an empty last one), each waiting for room in the
    /// send queue, whatever the slow-consumer policy. Pings, pongs and a close may go between its frames; other
    /// messages follow its last frame (sent meanwhile, they wait or are held), and a second message in parts
    /// waits for this one. Sent uncompressed. The stream is not disposed.</summary>
    /// <param name="source">Read with <c>ReadAsync</c> until it returns 0.</param>
    /// <param name="type"><see cref="MessageType.Text"/> (the bytes must be UTF-8; not checked) or <see cref="MessageType.Binary"/>.</param>
    /// <param name="cancellationToken">Stops the send; a message cut short leaves the peer waiting for its end,
    /// so close the connection then.</param>
    /// <exception cref="ConnectionClosedException">The connection closed before the last frame was queued.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="type"/> is not text or binary.</exception>
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
    /// <exception cref="ConnectionClosedException">The connection closed before the last frame was queued.</exception>
    public Task SendAsync(PipeReader source, MessageType type, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(source);
        return SendAsync(PartSender.FromPipe(source, cancellationToken), type, cancellationToken);
    }

    /// <summary>Sends one message made of <paramref name="parts"/>, as
    /// <see cref="SendAsync(Stream, MessageType, CancellationToken)"/> does; each part is copied before the
    /// next is asked for, so a producer may reuse its buffer.</summary>
    /// <param name="parts">The message's bytes in order; a part over 64 KiB goes in several frames.</param>
    /// <param name="type"><see cref="MessageType.Text"/> or <see cref="MessageType.Binary"/>.</param>
    /// <param name="cancellationToken">Stops the send.</param>
    /// <exception cref="ConnectionClosedException">The connection closed before the last frame was queued.</exception>
    public Task SendAsync(IAsyncEnumerable<ReadOnlyMemory<byte>> parts, MessageType type, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(parts);
        return _live.SendPartsAsync(Id, DataKind(type), parts, cancellationToken);
    }

    internal static MessageKind DataKind(MessageType type) => type switch
    {
        MessageType.Text => MessageKind.Text,
        MessageType.Binary => MessageKind.Binary,
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "A message sent in parts is text or binary."),
    };
}
