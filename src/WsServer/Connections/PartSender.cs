using System.Buffers;
using System.IO.Pipelines;
using System.Runtime.CompilerServices;

namespace WsServer.Connections;

/// <summary>Where the frames of a message sent in parts go: the server's send queue or the client's stream.</summary>
internal interface IPartWriter
{
    /// <summary>Writes one frame of the message (<see cref="Protocol.Session.ProtocolSession.WriteMessagePart"/>),
    /// waiting for room first; throws when the connection can no longer send.</summary>
    ValueTask WriteAsync(ReadOnlyMemory<byte> payload, bool first, bool last, CancellationToken cancellationToken);
}

/// <summary>
/// Sends one message from a source read as it goes (RFC 6455 §5.4): a frame of at most <see cref="FrameSize"/>
/// bytes per part, the first with the message's opcode, the rest continuations, then an empty final frame
/// with FIN, since a stream's end is only known once a read returns nothing. The server and the client
/// share it; each writer admits and orders the frames its own way.
/// </summary>
internal static class PartSender
{
    /// <summary>The largest frame a streamed message is cut into: what the sender holds of it at a time.</summary>
    public const int FrameSize = 64 * 1024;

    public static async Task SendAsync(IPartWriter writer, IAsyncEnumerable<ReadOnlyMemory<byte>> parts, CancellationToken cancellationToken)
    {
        bool first = true;
        await foreach (ReadOnlyMemory<byte> part in parts.WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            for (ReadOnlyMemory<byte> rest = part; !rest.IsEmpty; rest = rest[Math.Min(rest.Length, FrameSize)..])
            {
                await writer.WriteAsync(rest[..Math.Min(rest.Length, FrameSize)], first, last: false, cancellationToken).ConfigureAwait(false);
                first = false;
            }
        }
        await writer.WriteAsync(ReadOnlyMemory<byte>.Empty, first, last: true, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>A stream read to its end in pooled chunks, each valid until the next is asked for.</summary>
    public static async IAsyncEnumerable<ReadOnlyMemory<byte>> FromStream(Stream source, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        byte[] buffer = ArrayPool<byte>.Shared.Rent(FrameSize);
        try
        {
            int read;
            while ((read = await source.ReadAsync(buffer.AsMemory(0, FrameSize), cancellationToken).ConfigureAwait(false)) > 0)
                yield return buffer.AsMemory(0, read);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>A pipe read to its end, segment by segment; the reader is not completed (its owner does that).</summary>
    public static async IAsyncEnumerable<ReadOnlyMemory<byte>> FromPipe(PipeReader source, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        while (true)
        {
            ReadResult read = await source.ReadAsync(cancellationToken).ConfigureAwait(false);
            foreach (ReadOnlyMemory<byte> segment in read.Buffer) yield return segment;
            source.AdvanceTo(read.Buffer.End);
            if (read.IsCompleted || read.IsCanceled) yield break;
        }
    }
}
