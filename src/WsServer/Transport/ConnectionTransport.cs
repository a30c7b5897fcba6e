using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;

namespace WsServer.Transport;

/// <summary>
/// The seam between a connection and what carries its bytes: one implementation per I/O style
/// (<see cref="EpollTransport"/>, <see cref="SocketTransport"/>, <see cref="StreamTransport"/> for TLS and
/// anything stream-shaped), and one session over any of them. A transport owns what it reads and writes;
/// <see cref="Abort"/> cuts it from any thread, which ends every pending read and write on it and cancels
/// <see cref="Aborted"/>.
/// </summary>
internal abstract class ConnectionTransport : IAsyncDisposable, IBatchWriter
{
    private readonly CancellationTokenSource _aborted = new();
    private int _abortRequested;

    protected ConnectionTransport(IPEndPoint remote, IPEndPoint local, DateTimeOffset acceptedAt)
    {
        Remote = remote;
        Local = local;
        AcceptedAt = acceptedAt;
        Aborted = _aborted.Token;
    }

    /// <summary>When the connection was accepted.</summary>
    public DateTimeOffset AcceptedAt { get; }

    /// <summary>The client's address (from the PROXY header when the listener takes one).</summary>
    public IPEndPoint Remote { get; }

    public IPEndPoint Local { get; }

    /// <summary>Cancelled when the transport is cut: what a handler's token follows.</summary>
    public CancellationToken Aborted { get; }

    public bool IsAborted => Volatile.Read(ref _abortRequested) != 0;

    /// <summary>The connection's input, read by one reader at a time.</summary>
    public abstract TransportInput Input { get; }

    public virtual (bool IsTls, SslProtocols? Protocol, string? ServerName) TlsInfo => (false, null, null);

    /// <summary>True when the peer sent bytes not yet read: a sign of life while the connection is busy.</summary>
    public virtual bool HasUnreadBytes => false;

    /// <summary>Writes every byte of <paramref name="bytes"/>.</summary>
    public abstract ValueTask WriteAsync(ReadOnlyMemory<byte> bytes);

    /// <summary>Writes <paramref name="batch"/> (<paramref name="total"/> bytes, at least two arrays) in order.</summary>
    protected abstract ValueTask WriteBatchAsync(List<ArraySegment<byte>> batch, int total);

    public ValueTask WriteAsync(List<ArraySegment<byte>> batch, int total) =>
        batch.Count == 1 ? WriteAsync(batch[0]) : WriteBatchAsync(batch, total);

    /// <inheritdoc cref="IBatchWriter.TrySendNow"/>
    public virtual long TrySendNow(ReadOnlySpan<byte> head, ReadOnlySpan<byte> payload) => -1;

    /// <summary>False when the transport cannot end its sending side on its own (an upgraded HTTP/1.1 stream of
    /// another host, which ends the connection when its request completes): then nobody waits for the peer's end.</summary>
    public virtual bool CanEndSending => true;

    /// <summary>Ends our sending side, so the peer reads everything we sent before the end.</summary>
    public abstract ValueTask ShutdownSendAsync();

    /// <summary>Cuts the connection now (a deadline passed, a write failed, or the server gave up waiting).</summary>
    public void Abort()
    {
        if (Interlocked.Exchange(ref _abortRequested, 1) != 0) return;
        try
        {
            _aborted.Cancel();
        }
        finally
        {
            Cut();
        }
    }

    /// <summary>Closes what the transport reads and writes, ending whatever is pending on it.</summary>
    protected abstract void Cut();

    public async ValueTask DisposeAsync()
    {
        await Input.CompleteAsync().ConfigureAwait(false);
        await DisposeCoreAsync().ConfigureAwait(false);
        _aborted.Dispose();
    }

    protected abstract ValueTask DisposeCoreAsync();

    /// <summary>True for the ways a transport ends under us: reset, EOF mid-write, our own abort.</summary>
    public static bool IsEnd(Exception ex) =>
        ex is IOException or SocketException or ObjectDisposedException or OperationCanceledException;

    internal static bool HasUnread(Socket socket)
    {
        try
        {
            return socket.Available > 0;
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            return false;
        }
    }

    /// <summary>A batch written to a stream that flushes each write (TLS makes a record of each, Kestrel's stream a
    /// send): up to <see cref="GatherLimit"/> bytes are gathered into one pooled array and written once; a larger
    /// batch goes array by array, each worth its own write.</summary>
    protected static async ValueTask WriteGatheredAsync(Stream stream, List<ArraySegment<byte>> batch, int total)
    {
        if (total > GatherLimit)
        {
            foreach (ArraySegment<byte> buffer in batch) await stream.WriteAsync(buffer).ConfigureAwait(false);
            return;
        }
        byte[] gathered = System.Buffers.ArrayPool<byte>.Shared.Rent(total);
        try
        {
            int at = 0;
            foreach (ArraySegment<byte> buffer in batch)
            {
                buffer.AsSpan().CopyTo(gathered.AsSpan(at));
                at += buffer.Count;
            }
            await stream.WriteAsync(gathered.AsMemory(0, total)).ConfigureAwait(false);
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(gathered);
        }
    }

    private const int GatherLimit = 64 * 1024;

    /// <summary>Sends the TCP FIN.</summary>
    protected static void ShutdownSend(Socket socket)
    {
        try
        {
            socket.Shutdown(SocketShutdown.Send);
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            // Already cut.
        }
    }
}
