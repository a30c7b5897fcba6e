using System.IO.Pipelines;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;

namespace WsServer.Transport;

/// <summary>A connection spoken over a stream: TLS, what follows a PROXY header, or any stream another
/// host hands over. With the socket under it, the FIN follows TLS's close_notify and
/// bytes waiting in the socket count as signs of life; without one, ending the stream is all there is.</summary>
internal sealed class StreamTransport : ConnectionTransport
{
    private readonly Stream _stream;
    private readonly Socket? _socket;
    private readonly SslStream? _tls;
    private readonly PipeInput _input;

    public StreamTransport(Stream stream, Socket? socket, SslStream? tls, IPEndPoint remote, IPEndPoint local, DateTimeOffset acceptedAt)
        : base(remote, local, acceptedAt)
    {
        _stream = stream;
        _socket = socket;
        _tls = tls;
        _input = PipeInput.Over(stream);
    }

    public override TransportInput Input => _input;

    public override (bool IsTls, SslProtocols? Protocol, string? ServerName) TlsInfo =>
        _tls is null
            ? (false, null, null)
            : (true, _tls.SslProtocol, string.IsNullOrEmpty(_tls.TargetHostName) ? null : _tls.TargetHostName);

    public override bool HasUnreadBytes => _socket is not null && HasUnread(_socket);

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> bytes) => _stream.WriteAsync(bytes);

    protected override ValueTask WriteBatchAsync(List<ArraySegment<byte>> batch, int total) => WriteGatheredAsync(_stream, batch, total);

    /// <summary>TLS close_notify first on wss, then the TCP FIN.</summary>
    public override async ValueTask ShutdownSendAsync()
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
        if (_socket is not null) ShutdownSend(_socket);
    }

    protected override void Cut()
    {
        if (_socket is not null) _socket.Dispose();
        else _stream.Dispose();
    }

    protected override async ValueTask DisposeCoreAsync()
    {
        await _stream.DisposeAsync().ConfigureAwait(false);
        _socket?.Dispose();
    }
}
