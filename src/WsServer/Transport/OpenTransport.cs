using System.IO.Pipelines;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;

namespace WsServer.Transport;

/// <summary>
/// The first phase of a connection, done: the accepted socket turned into the stream the WebSocket is
/// spoken over (after the PROXY header and TLS, when the listener has them), with the real endpoints.
/// It owns the socket; <see cref="Abort"/> cuts it from any thread, which ends every pending read and
/// write on it and cancels <see cref="Aborted"/>.
/// </summary>
internal sealed class OpenTransport : IAsyncDisposable, IBatchWriter
{
    private readonly Socket _socket;
    private readonly SslStream? _tls;
    private readonly CancellationTokenSource _aborted = new();
    private int _abortRequested;

    public OpenTransport(Socket socket, Stream stream, IPEndPoint remote, IPEndPoint local, SslStream? tls,
        DateTimeOffset acceptedAt)
    {
        AcceptedAt = acceptedAt;
        _socket = socket;
        Stream = stream;
        Remote = remote;
        Local = local;
        _tls = tls;
        Aborted = _aborted.Token;
    }

    public Stream Stream { get; }

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
        _tls is null && Stream is NetworkStream ? new SocketReader(_socket) : PipeReader.Create(Stream, streamOptions);

    /// <summary>Writes <paramref name="batch"/> (<paramref name="total"/> bytes) in order: on plain TCP
    /// straight to the socket, several arrays in one <c>sendmsg</c>; on TLS one write each.</summary>
    public ValueTask WriteAsync(List<ArraySegment<byte>> batch, int total)
    {
        if (_tls is not null) return WriteEachAsync(batch);
        return batch.Count == 1 ? GatherSend.SendAsync(_socket, batch[0]) : GatherSend.SendAsync(_socket, batch, total);
    }

    private async ValueTask WriteEachAsync(List<ArraySegment<byte>> batch)
    {
        foreach (ArraySegment<byte> buffer in batch) await Stream.WriteAsync(buffer).ConfigureAwait(false);
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
            _socket.Dispose();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Stream.DisposeAsync().ConfigureAwait(false);
        _socket.Dispose();
        _aborted.Dispose();
    }

    /// <summary>True for the ways a transport ends under us: reset, EOF mid-write, our own abort.</summary>
    public static bool IsEnd(Exception ex) =>
        ex is IOException or SocketException or ObjectDisposedException or OperationCanceledException;
}
