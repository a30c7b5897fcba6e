using System.Buffers;
using System.IO.Pipelines;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using WsServer.Transport.Epoll;

namespace WsServer.Transport;

/// <summary>
/// The input of a plain TCP connection, read straight from its socket into one pooled array: what a
/// <c>PipeReader.Create</c> over a <see cref="NetworkStream"/> does, without the stream, the
/// segment list and their objects per connection. While nothing is buffered the array goes back to the
/// pool and the reader waits with a zero-byte receive (or, on an <see cref="EpollSocket"/>, for the loop's
/// next edge), so an idle connection holds no buffer. The array a receive gets grows while receives fill it, up to
/// <see cref="LargestRoom"/>, so a large message takes one receive or two, not one per 4 KiB; a connection that
/// parks with a few bytes of a frame keeps them in a small array. One reader, as for any pipe;
/// <see cref="CancelPendingRead"/> is not supported (nothing here uses it).
/// </summary>
internal sealed class SocketReader : TransportInput
{
    private readonly Socket? _socket;
    private readonly EpollSocket? _epoll;
    // As large as one streamed part: a streaming route pauses within a part of its 128 KiB (IncomingStream.PauseBytes).
    internal const int LargestRoom = 64 * 1024;
    private int _roomSize = SegmentPool.SmallestSize; // the array the next receive gets: doubled when one fills it
    private bool _filledRoom; // the last receive took all the room it had: more may be waiting, with no edge to say so
    private byte[]? _buffer;
    private int _start;    // first byte not consumed
    private int _examined; // first byte not examined: reading waits for bytes past it
    private int _end;      // end of the bytes received
    private bool _ended;   // the peer's FIN
    private bool _completed;
    private ReadOnlySequence<byte> _handedOut;

    public SocketReader(Socket socket) => _socket = socket;

    public SocketReader(EpollSocket socket) => _epoll = socket;

    public override bool TryRead(out ReadResult result)
    {
        ObjectDisposedException.ThrowIf(_completed, this);
        bool ready = _ended || _examined < _end;
        result = ready ? Result() : default;
        return ready;
    }

    public override ValueTask<ReadResult> ReadAsync(CancellationToken cancellationToken = default) =>
        TryRead(out ReadResult result) ? new(result)
        : _epoll is not null ? ReceiveFromLoopAsync(_epoll, cancellationToken)
        : ReceiveAsync(_socket!, cancellationToken);

    public override void AdvanceTo(SequencePosition consumed) => AdvanceTo(consumed, consumed);

    public override void AdvanceTo(SequencePosition consumed, SequencePosition examined)
    {
        int from = _start;
        _start = from + (int)_handedOut.Slice(0, consumed).Length;
        _examined = Math.Max(_start, from + (int)_handedOut.Slice(0, examined).Length);
        _handedOut = default;
        if (_start == _end) ReturnBuffer();
    }

    public override void CancelPendingRead() => throw new NotSupportedException("A socket reader's reads end by cancellation token.");

    public override void Complete(Exception? exception = null)
    {
        _completed = true;
        ReturnBuffer();
    }

    // Pooled builder: a receive that waits allocates nothing.
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<ReadResult> ReceiveAsync(Socket socket, CancellationToken cancellationToken)
    {
        // Nothing buffered: wait for data without holding an array.
        if (_buffer is null) await socket.ReceiveAsync(Memory<byte>.Empty, SocketFlags.None, cancellationToken).ConfigureAwait(false);
        else KeepLeftoverSmall();
        Memory<byte> room = Room();
        int received = await socket.ReceiveAsync(room, SocketFlags.None, cancellationToken).ConfigureAwait(false);
        Adapt(received, room.Length);
        _filledRoom = received == room.Length;
        if (received == 0) _ended = true;
        _end += received;
        return Result();
    }

    /// <summary>What is buffered or, on an <see cref="EpollSocket"/>, waiting on the socket now, without
    /// waiting; false when there is nothing (the array is then back in the pool): park on
    /// <see cref="TryParkUntilReadable"/>.</summary>
    public override bool TryReceive(out ReadResult result)
    {
        if (_epoll is not { } socket) return base.TryReceive(out result);
        if (TryRead(out result)) return true;
        // A receive is tried only when bytes may be there: after an edge, or when the last one filled its room.
        while (_filledRoom || socket.MayHaveInput)
        {
            Memory<byte> room = Room();
            int received = socket.Receive(room.Span);
            if (received >= 0) Adapt(received, room.Length);
            _filledRoom = received == room.Length;
            if (received < 0) continue;
            if (received == 0) _ended = true;
            _end += received;
            result = Result();
            return true;
        }
        if (_start == _end) ReturnBuffer();
        else KeepLeftoverSmall();
        return false;
    }

    public override bool MayHaveMore =>
        _ended || _start < _end || (_epoll is { } socket ? _filledRoom || socket.MayHaveInput : ConnectionTransport.HasUnread(_socket!));

    /// <summary>On an epoll socket, <paramref name="resume"/> runs at the socket's next edge; false when the
    /// edge came already (receive again).</summary>
    public override bool TryParkUntilReadable(IThreadPoolWorkItem resume) =>
        _epoll is { } socket ? socket.TryParkReading(resume) : base.TryParkUntilReadable(resume);

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<ReadResult> ReceiveFromLoopAsync(EpollSocket socket, CancellationToken cancellationToken)
    {
        ReadResult result;
        while (!TryReceive(out result)) await socket.WaitReadableAsync(cancellationToken).ConfigureAwait(false);
        return result;
    }

    private ReadResult Result()
    {
        _handedOut = _buffer is null ? ReadOnlySequence<byte>.Empty : new ReadOnlySequence<byte>(_buffer, _start, _end - _start);
        return new ReadResult(_handedOut, isCanceled: false, isCompleted: _ended);
    }

    /// <summary>Free space after the data: the unconsumed bytes are moved to the front, or the array is
    /// doubled when they fill it (a request head that has not ended yet).</summary>
    private Memory<byte> Room()
    {
        if (_buffer is null)
        {
            _buffer = SegmentPool.Rent(_roomSize);
            _start = _examined = _end = 0;
        }
        else if (_end == _buffer.Length && _start > 0)
        {
            _buffer.AsSpan(_start, _end - _start).CopyTo(_buffer);
            (_examined, _end, _start) = (_examined - _start, _end - _start, 0);
        }
        else if (_end == _buffer.Length)
        {
            byte[] larger = SegmentPool.Rent(_buffer.Length * 2);
            _buffer.AsSpan(0, _end).CopyTo(larger);
            SegmentPool.Return(_buffer);
            _buffer = larger;
        }
        return _buffer.AsMemory(_end);
    }

    // A receive that filled its room asks for twice the room next time; one that used less than a quarter, for half,
    // unless it only took the rest of what the last one, filled, left behind (the tail of a message).
    private void Adapt(int received, int room)
    {
        if (received == room) _roomSize = Math.Min(_roomSize * 2, LargestRoom);
        else if (received < _roomSize / 4 && !_filledRoom) _roomSize = Math.Max(_roomSize / 2, SegmentPool.SmallestSize);
    }

    // Before waiting with part of a frame: a large array goes back to the pool, its few bytes moved to a small one.
    private void KeepLeftoverSmall()
    {
        int left = _end - _start;
        if (_buffer is not { Length: > SegmentPool.SmallestSize } large || left > SegmentPool.SmallestSize / 2) return;
        byte[] small = SegmentPool.Rent(SegmentPool.SmallestSize);
        large.AsSpan(_start, left).CopyTo(small);
        SegmentPool.Return(large);
        _buffer = small;
        (_examined, _end, _start) = (_examined - _start, left, 0);
    }

    private void ReturnBuffer()
    {
        if (_buffer is null) return;
        SegmentPool.Return(_buffer);
        _buffer = null;
        _start = _examined = _end = 0;
    }
}
