using System.IO.Pipelines;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using WsServer.Transport.Epoll;

namespace WsServer.Transport;

/// <summary>
/// The first phase of a connection, done: the accepted socket turned into the stream the WebSocket is
/// spoken over (after the PROXY header and TLS, when the listener has them), with the real endpoints.
/// It owns the socket; <see cref="Abort"/> cuts it from any thread, which ends every pending read and
/// write on it and cancels <see cref="Aborted"/>. Plain TCP is read and written straight on the socket,
/// through an epoll loop (<see cref="EpollSocket"/>) or .NET's engine; TLS and PROXY through the stream.
/// </summary>
internal sealed class OpenTransport : IAsyncDisposable, IBatchWriter
{
    private readonly Socket _socket;
    private readonly Stream? _stream;
    private readonly EpollSocket? _epoll;
    private readonly SslStream? _tls;
    private readonly CancellationTokenSource _aborted = new();
    private int _abortRequested;

    /// <summary>Plain TCP on <paramref name="socket"/>, through <paramref name="epoll"/> when given.</summary>
    public OpenTransport(Socket socket, EpollSocket? epoll, IPEndPoint remote, IPEndPoint local, DateTimeOffset acceptedAt)
        : this(socket, remote, local, acceptedAt)
    {
        _epoll = epoll;
    }

    /// <summary>Through <paramref name="stream"/> (TLS, or what follows a PROXY header).</summary>
    public OpenTransport(Socket socket, Stream stream, IPEndPoint remote, IPEndPoint local, SslStream? tls, DateTimeOffset acceptedAt)
        : this(socket, remote, local, acceptedAt)
    {
        _stream = stream;
        _tls = tls;
    }

    private OpenTransport(Socket socket, IPEndPoint remote, IPEndPoint local, DateTimeOffset acceptedAt)
    {
        AcceptedAt = acceptedAt;
        _socket = socket;
        Remote = remote;
        Local = local;
        Aborted = _aborted.Token;
    }

    /// <summary>When the TCP connection was accepted.</summary>
    public DateTimeOffset AcceptedAt { get; }

    /// <summary>The client's address (from the PROXY header when the listener takes one).</summary>
    public IPEndPoint Remote { get; }

    public IPEndPoint Local { get; }

    /// <summary>Cancelled when the transport is cut: what a handler's token follows.</summary>
    public CancellationToken Aborted { get; }

    public bool IsAborted => Volatile.Read(ref _abortRequested) != 0;

    public (bool IsTls, SslProtocols? Protocol, string? ServerName) TlsInfo =>
        _tls is null
            ? (false, null, null)
            : (true, _tls.SslProtocol, string.IsNullOrEmpty(_tls.TargetHostName) ? null : _tls.TargetHostName);

    /// <summary>True when the peer sent bytes not yet read: a sign of life while the connection is busy.</summary>
    public bool HasUnreadBytes
    {
        get
        {
            try
            {
                return _socket.Available > 0;
            }
            catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
            {
                return false;
            }
        }
    }

    /// <summary>The connection's input: read straight from the socket on plain TCP, through the stream
    /// (TLS, or a PROXY header's leftover bytes) otherwise.</summary>
    public PipeReader CreateInput(StreamPipeReaderOptions streamOptions) =>
        _stream is not null ? PipeReader.Create(_stream, streamOptions)
        : _epoll is not null ? new SocketReader(_epoll)
        : new SocketReader(_socket);

    /// <summary>Writes every byte of <paramref name="bytes"/>.</summary>
    public ValueTask WriteAsync(ReadOnlyMemory<byte> bytes) =>
        _stream is not null ? _stream.WriteAsync(bytes)
        : _epoll is not null ? _epoll.SendAsync(bytes)
        : GatherSend.SendAsync(_socket, bytes);

    /// <summary>Writes <paramref name="batch"/> (<paramref name="total"/> bytes) in order: on plain TCP
    /// straight to the socket, several arrays in one <c>sendmsg</c>; through the stream one write each.</summary>
    public ValueTask WriteAsync(List<ArraySegment<byte>> batch, int total)
    {
        if (batch.Count == 1) return WriteAsync(batch[0]);
        if (_stream is not null) return WriteEachAsync(_stream, batch);
        return _epoll is not null ? _epoll.SendAsync(batch, total) : GatherSend.SendAsync(_socket, batch, total);
    }

    private static async ValueTask WriteEachAsync(Stream stream, List<ArraySegment<byte>> batch)
    {
        foreach (ArraySegment<byte> buffer in batch) await stream.WriteAsync(buffer).ConfigureAwait(false);
    }

    /// <summary>Ends our sending side: TLS close_notify first on wss, then the TCP FIN, so the peer reads
    /// everything we sent before the end.</summary>
    public async ValueTask ShutdownSendAsync()
    {
        if (_tls is not null)
        {
            try
            {
                await _tls.ShutdownAsync().ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is IOException or ObjectDisposedException or InvalidOperationException)
            {
                // The peer is gone or a write is in flight; the FIN below still ends our side.
            }
        }
        try
        {
            _socket.Shutdown(SocketShutdown.Send);
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            // Already cut.
        }
    }

    /// <summary>Cuts the connection now (a deadline passed, or the server gave up waiting).</summary>
    public void Abort()
    {
        if (Interlocked.Exchange(ref _abortRequested, 1) != 0) return;
        try
        {
            _aborted.Cancel();
        }
        finally
        {
            _epoll?.Abort();
            _socket.Dispose();
        }
    }

    public async ValueTask DisposeAsync()
    {
        _epoll?.Dispose();
        if (_stream is not null) await _stream.DisposeAsync().ConfigureAwait(false);
        _socket.Dispose();
        _aborted.Dispose();
    }

    /// <summary>True for the ways a transport ends under us: reset, EOF mid-write, our own abort.</summary>
    public static bool IsEnd(Exception ex) =>
        ex is IOException or SocketException or ObjectDisposedException or OperationCanceledException;
}
