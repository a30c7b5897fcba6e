using System.Net.Sockets;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Threading.Tasks.Sources;
using WsServer.Collections;

namespace WsServer.Transport;

/// <summary>
/// A send on a plain TCP socket with pooled event args: of one buffer, or of several in one
/// <c>sendmsg</c> (writev), how a connection's writer writes a batch of frames when some of them are shared with
/// other connections (a broadcast) and so are not copied into one buffer. Awaited without a
/// <see cref="Task"/>, so a send allocates nothing, and, unlike <see cref="NetworkStream"/>, which keeps
/// event args per socket, an idle connection holds none.
/// </summary>
internal sealed class GatherSend : SocketAsyncEventArgs, IValueTaskSource
{
    private static readonly BoundedPool<GatherSend> s_pool = new(maxKept: 256);

    private ManualResetValueTaskSourceCore<bool> _completion;

    private GatherSend() : base(unsafeSuppressExecutionContextFlow: true) { }

    /// <summary>Sends every byte of <paramref name="buffers"/> (at least two), in order.</summary>
    public static ValueTask SendAsync(Socket socket, List<ArraySegment<byte>> buffers, int total)
    {
        GatherSend send = Rent();
        send.BufferList = buffers;
        return send.RunAsync(socket, total);
    }

    /// <summary>Sends every byte of <paramref name="buffer"/>.</summary>
    public static ValueTask SendAsync(Socket socket, ReadOnlyMemory<byte> buffer)
    {
        GatherSend send = Rent();
        send.SetBuffer(MemoryMarshal.AsMemory(buffer));
        return send.RunAsync(socket, buffer.Length);
    }

    private static GatherSend Rent() => s_pool.TryRent(out GatherSend? pooled) ? pooled : new GatherSend();

    // Pooled builder: a send that completes later allocates no state machine either.
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask RunAsync(Socket socket, int total)
    {
        try
        {
            _completion.Reset();
            if (socket.SendAsync(this)) await new ValueTask(this, _completion.Version).ConfigureAwait(false);
            else Check();
            // A stream socket's send completes whole or fails; anything else is a transport fault.
            if (BytesTransferred != total) throw new IOException($"Sent {BytesTransferred} of {total} bytes.");
        }
        finally
        {
            if (BufferList is null) SetBuffer(Memory<byte>.Empty);
            else BufferList = null;
            if (!s_pool.TryReturn(this)) Dispose();
        }
    }

    protected override void OnCompleted(SocketAsyncEventArgs e) => _completion.SetResult(true);

    private void Check()
    {
        if (SocketError != SocketError.Success) throw new SocketException((int)SocketError);
    }

    void IValueTaskSource.GetResult(short token)
    {
        _completion.GetResult(token);
        Check();
    }

    ValueTaskSourceStatus IValueTaskSource.GetStatus(short token) => _completion.GetStatus(token);

    void IValueTaskSource.OnCompleted(Action<object?> continuation, object? state, short token,
        ValueTaskSourceOnCompletedFlags flags) => _completion.OnCompleted(continuation, state, token, flags);
}
