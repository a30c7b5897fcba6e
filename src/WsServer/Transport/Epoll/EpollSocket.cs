using System.Net;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace WsServer.Transport.Epoll;

/// <summary>
/// A plain TCP socket (or a listening one) served by an <see cref="EpollLoop"/> instead of .NET's socket
/// engine: reads, writes and accepts are direct non-blocking calls on the descriptor, made on whatever thread
/// runs the connection, and a call that would block waits for the loop's next edge. Per connection this is
/// one small object and its reader's waiter, where .NET's engine keeps an async context, event args and
/// their operations, and a read that finds nothing costs one <c>recv</c>, not a zero-byte receive and its
/// <c>ioctl</c>. The <see cref="SafeHandle"/> stays the owner of the descriptor: each call holds a reference
/// to it, so a dispose from another thread never closes a descriptor in use.
/// </summary>
internal sealed class EpollSocket : IDisposable
{
    private readonly SafeHandle _handle;
    private readonly int _fd;
    private readonly EpollLoop _loop;
    private readonly Readiness _readable;
    private readonly bool _inline;
    private Readiness? _writable; // made when a send first finds the socket's buffer full
    private Exception? _aborted;
    private int _removed;

    /// <param name="handle">The descriptor's owner, which the caller disposes after this.</param>
    /// <param name="inline">Run what waits on the socket on the loop's thread (no hop to the pool).</param>
    public EpollSocket(SafeHandle handle, bool inline)
    {
        _handle = handle;
        _fd = (int)_handle.DangerousGetHandle();
        _readable = new Readiness(inline);
        _inline = inline;
        _loop = EpollLoop.Next();
        _loop.Add(_fd, this);
    }

    /// <summary>What the loop knows this socket by: its id in the loop's slot table.</summary>
    internal ulong Key { get; set; }

    /// <summary>True when bytes may be waiting: an edge came since the last receive armed, or that
    /// receive filled all the room it was given.</summary>
    public bool MayHaveInput => _readable.MayBeReady;

    /// <summary>Receives into <paramref name="into"/>: the bytes received, 0 at the peer's FIN, -1 when
    /// none are waiting (then <see cref="WaitReadableAsync"/>).</summary>
    public int Receive(Span<byte> into)
    {
        _readable.Arm();
        using var lease = new HandleLease(_handle);
        return EpollInterop.Receive(_fd, into);
    }

    /// <summary>On a listening socket: a connection from its backlog (its descriptor and the peer's address, which
    /// is <paramref name="recent"/> when the same), or -1 when none is waiting (then <see cref="WaitReadableAsync"/>).</summary>
    public int Accept(IPAddress? recent, out IPEndPoint? remote)
    {
        _readable.Arm();
        using var lease = new HandleLease(_handle);
        return EpollInterop.Accept(_fd, recent, out remote);
    }

    /// <summary>True when the peer sent bytes not yet received; false once the socket is cut.</summary>
    public bool HasUnread()
    {
        try
        {
            using var lease = new HandleLease(_handle);
            return EpollInterop.HasUnread(_fd);
        }
        catch (ObjectDisposedException)
        {
            return false;
        }
    }

    /// <summary>Sends the FIN after what was sent; nothing when the socket is already cut.</summary>
    public void ShutdownSend()
    {
        try
        {
            using var lease = new HandleLease(_handle);
            EpollInterop.ShutdownSend(_fd);
        }
        catch (ObjectDisposedException)
        {
            // Already cut.
        }
    }

    /// <summary>Completes when bytes (or the end, or a connection to accept) may have come since the last
    /// <see cref="Receive"/> (or <see cref="Accept"/>).</summary>
    public ValueTask WaitReadableAsync(CancellationToken cancellation) => _readable.WaitAsync(cancellation);

    /// <summary>After a <see cref="Receive"/> that found nothing: <paramref name="resume"/> runs at the next
    /// edge, and nothing waits meanwhile; false when one came already (receive again).</summary>
    public bool TryParkReading(IThreadPoolWorkItem resume) => _readable.TryPark(resume);

    /// <summary>Sends every byte of <paramref name="bytes"/>.</summary>
    public ValueTask SendAsync(ReadOnlyMemory<byte> bytes)
    {
        int sent = TrySend(bytes.Span);
        return sent == bytes.Length ? ValueTask.CompletedTask : SendRestAsync(bytes[sent..]);
    }

    /// <summary>Sends every byte of <paramref name="batch"/> (<paramref name="total"/> bytes), in order, as
    /// few calls as the socket's buffer allows (one <c>sendmsg</c> of all of them when it has room).</summary>
    public ValueTask SendAsync(List<ArraySegment<byte>> batch, int total)
    {
        long sent = TrySend(batch, 0);
        return sent == total ? ValueTask.CompletedTask : SendRestAsync(batch, total, sent);
    }

    /// <summary>One <c>sendmsg</c> of <paramref name="head"/> then <paramref name="payload"/>, now: the bytes sent (0
    /// when the socket's buffer is full), or -1 when the socket is cut or the call failed: the caller queues the
    /// bytes, and the write that sends them meets the failure and ends the connection as any failed write does.</summary>
    public unsafe long TrySendNow(ReadOnlySpan<byte> head, ReadOnlySpan<byte> payload)
    {
        EpollInterop.IoVector* vectors = stackalloc EpollInterop.IoVector[2];
        fixed (byte* headBytes = head)
        fixed (byte* payloadBytes = payload)
        {
            vectors[0] = new EpollInterop.IoVector { Base = headBytes, Length = (nuint)head.Length };
            vectors[1] = new EpollInterop.IoVector { Base = payloadBytes, Length = (nuint)payload.Length };
            _writable?.Arm();
            try
            {
                using var lease = new HandleLease(_handle);
                return EpollInterop.SendVectors(_fd, vectors, 2);
            }
            catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
            {
                return -1;
            }
        }
    }

    /// <summary>Ends every wait on this socket (they throw), without closing it: the owner disposes it.</summary>
    public void Abort()
    {
        var aborted = new ObjectDisposedException(nameof(EpollSocket), "The connection was cut.");
        Interlocked.CompareExchange(ref _aborted, aborted, null);
        _readable.Fail(aborted);
        Volatile.Read(ref _writable)?.Fail(aborted);
    }

    /// <summary>From the loop's thread.</summary>
    internal void OnEvents(uint events)
    {
        const uint ended = EpollInterop.ReadHangUp | EpollInterop.HangUp | EpollInterop.Error;
        const uint failed = EpollInterop.HangUp | EpollInterop.Error;
        if ((events & (EpollInterop.In | ended)) != 0) _readable.Signal(lasting: (events & ended) != 0);
        if ((events & (EpollInterop.Out | failed)) != 0) Volatile.Read(ref _writable)?.Signal(lasting: (events & failed) != 0);
    }

    /// <summary>Leaves the loop and ends the waits; the socket itself is its owner's to dispose. No
    /// <c>epoll_ctl</c> here: closing the descriptor takes it out of the epoll set (nothing duplicates it),
    /// and an event that comes before the close finds the slot forgotten and is dropped: one syscall less
    /// per connection.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _removed, 1) != 0) return;
        Abort();
        _loop.Forget(Key);
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask SendRestAsync(ReadOnlyMemory<byte> rest)
    {
        while (!rest.IsEmpty)
        {
            await Writable().WaitAsync().ConfigureAwait(false);
            rest = rest[TrySend(rest.Span)..];
        }
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask SendRestAsync(List<ArraySegment<byte>> batch, int total, long sent)
    {
        while (sent < total)
        {
            await Writable().WaitAsync().ConfigureAwait(false);
            sent += TrySend(batch, sent);
        }
    }

    /// <summary>The writer's waiter, made at the first send that would block: most connections never need
    /// one. It starts ready (the send is tried again once it exists, so an edge before it is not missed)
    /// and failed when the socket was cut before it.</summary>
    private Readiness Writable()
    {
        if (Volatile.Read(ref _writable) is { } writable) return writable;
        Interlocked.CompareExchange(ref _writable, new Readiness(_inline), null);
        if (Volatile.Read(ref _aborted) is { } aborted) _writable.Fail(aborted);
        return _writable;
    }

    private int TrySend(ReadOnlySpan<byte> bytes)
    {
        _writable?.Arm();
        using var lease = new HandleLease(_handle);
        return EpollInterop.Send(_fd, bytes);
    }

    /// <summary>One <c>sendmsg</c> of what is left of <paramref name="batch"/> after its first
    /// <paramref name="skip"/> bytes (up to <see cref="IBatchWriter.MaxSegments"/> arrays at a time), each
    /// array pinned for the call.</summary>
    private unsafe long TrySend(List<ArraySegment<byte>> batch, long skip)
    {
        const int MaxVectors = IBatchWriter.MaxSegments; // more only when a caller breaks the contract: sent in turns
        EpollInterop.IoVector* vectors = stackalloc EpollInterop.IoVector[MaxVectors];
        int first = 0;
        while (skip >= batch[first].Count) skip -= batch[first++].Count;
        _writable?.Arm();
        using var lease = new HandleLease(_handle);
        return PinAndSend(batch, first, Math.Min(batch.Count - first, MaxVectors), (int)skip, vectors, 0);
    }

    // Pins the arrays one fixed statement per frame, down to the last, then sends them all: a pinned local costs
    // nothing, where a pinning GCHandle per array is a handle-table entry made and freed for every send.
    private unsafe long PinAndSend(List<ArraySegment<byte>> batch, int first, int count, int skip, EpollInterop.IoVector* vectors, int index)
    {
        if (index == count) return EpollInterop.SendVectors(_fd, vectors, count);
        ArraySegment<byte> segment = batch[first + index];
        int from = index == 0 ? skip : 0;
        fixed (byte* array = segment.Array)
        {
            vectors[index] = new EpollInterop.IoVector { Base = array + segment.Offset + from, Length = (nuint)(segment.Count - from) };
            return PinAndSend(batch, first, count, skip, vectors, index + 1);
        }
    }

    /// <summary>A reference on the socket's handle for one call: a dispose from another thread closes the
    /// descriptor after the call, never under it (nor lets it be reused by another socket meanwhile).
    /// Throws <see cref="ObjectDisposedException"/> when the socket is already closed.</summary>
    private readonly ref struct HandleLease
    {
        private readonly SafeHandle _handle;

        public HandleLease(SafeHandle handle)
        {
            bool added = false;
            handle.DangerousAddRef(ref added);
            _handle = handle;
        }

        public void Dispose() => _handle.DangerousRelease();
    }
}
