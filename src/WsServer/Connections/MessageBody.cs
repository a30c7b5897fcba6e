using System.Runtime.CompilerServices;

namespace WsServer.Connections;

/// <summary>
/// A message read as it arrives (<see cref="WebSocketMessage.Body"/>): a read-only, forward-only stream over
/// its parts, and the same parts as an async sequence. The server feeds it from a pipe the session loop
/// fills; the client from its own reader. Reads are asynchronous only: the message arrives while the reader
/// waits, so a blocking read could hold the very thread that would deliver the next part.
/// </summary>
internal abstract class MessageBody : Stream
{
    private ReadOnlyMemory<byte> _part; // the unread rest of the current part
    private bool _ended;
    private bool _detached;

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException("A streamed message's length is known only at its end.");

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    /// <summary>The most bytes held for the reader at once during this message (server side; for tests).</summary>
    internal virtual long PeakBufferedBytes => 0;

    /// <summary>The bytes of this message received so far (server side; for tests).</summary>
    internal virtual long ReceivedBytes => 0;

    /// <summary>The message's time is over (its handler call returned, or the next message was received): a
    /// part kept here would point into a buffer now used for something else, so reads throw from now on.</summary>
    internal void Detach()
    {
        _detached = true;
        _part = default;
    }

    /// <summary>The next non-empty part, valid until the next call; empty at the end of the message.</summary>
    /// <exception cref="IOException">The connection ended before the message did.</exception>
    protected abstract ValueTask<ReadOnlyMemory<byte>> NextPartAsync(CancellationToken cancellationToken);

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        ThrowIfDetached();
        if (buffer.IsEmpty) return 0;
        if (_part.IsEmpty)
        {
            if (_ended) return 0;
            _part = await NextPartAsync(cancellationToken).ConfigureAwait(false);
            if (_part.IsEmpty)
            {
                _ended = true;
                return 0;
            }
        }
        int count = Math.Min(buffer.Length, _part.Length);
        _part.Span[..count].CopyTo(buffer.Span);
        _part = _part[count..];
        return count;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count) =>
        throw new NotSupportedException("A streamed message is read asynchronously (ReadAsync, CopyToAsync).");

    /// <summary>The rest of the message as parts, each valid until the next is asked for.</summary>
    public async IAsyncEnumerable<ReadOnlyMemory<byte>> ReadPartsAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ThrowIfDetached();
        if (!_part.IsEmpty)
        {
            ReadOnlyMemory<byte> rest = _part;
            _part = default;
            yield return rest;
        }
        while (!_ended)
        {
            ThrowIfDetached();
            ReadOnlyMemory<byte> part = await NextPartAsync(cancellationToken).ConfigureAwait(false);
            if (part.IsEmpty)
            {
                _ended = true;
                yield break;
            }
            yield return part;
        }
    }

    private void ThrowIfDetached()
    {
        if (_detached)
            throw new InvalidOperationException("This streamed message can no longer be read: its handler call has returned or the next message was received.");
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
