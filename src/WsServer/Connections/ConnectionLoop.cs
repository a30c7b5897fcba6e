using System.Buffers;
using System.IO.Pipelines;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using WsServer.Diagnostics;
using WsServer.Handlers;
using WsServer.Hosting;
using WsServer.Protocol.Closing;
using WsServer.Protocol.Handshake;
using WsServer.Protocol.Session;
using WsServer.Transport;

namespace WsServer.Connections;

/// <summary>
/// Serves one accepted socket from the upgrade request to the closed TCP connection: reads the
/// request (<c>ConnectionLoop.Upgrade.cs</c>), then reads frames and calls the handler one message at a
/// time (<c>ConnectionLoop.Receive.cs</c>), while the outbox pump writes whatever is queued.
/// </summary>
internal sealed partial class ConnectionLoop
{
    // Zero-byte reads: an idle connection waits without a receive buffer, so it holds no memory
    // but its objects (DESIGN: idle connections that hold no buffer).
    private static readonly StreamPipeReaderOptions ReaderOptions =
        new(bufferSize: 4096, minimumReadSize: 1024, leaveOpen: true, useZeroByteReads: true);

    private readonly ServerContext _server;
    private readonly Socket _socket;
    private readonly long _id;
    private readonly DateTimeOffset _acceptedAt;
    private readonly Listener _listener;
    private IPEndPoint _remote;
    private IPEndPoint _local;
    private SslStream? _tls;
    private readonly CancellationTokenSource _receiving;
    private ConnectionClosed? _closed;
    private volatile ConnectionClosed? _localClose;

    public ConnectionLoop(ServerContext server, Socket socket, Listener listener)
    {
        _server = server;
        _socket = socket;
        _listener = listener;
        _local = LocalOf(socket);
        _id = ServerContext.NextConnectionId();
        _acceptedAt = server.Time.GetUtcNow();
        _remote = (IPEndPoint)socket.RemoteEndPoint!;
        // Cancelled by the close timeout and by the server's abort; built on the injected clock.
        _receiving = new CancellationTokenSource(Timeout.InfiniteTimeSpan, server.Time);
    }

    public async Task RunAsync()
    {
        using CancellationTokenRegistration abort = _server.Aborting.UnsafeRegister(
            static s => ((CancellationTokenSource)s!).Cancel(), _receiving);
        Stream stream = new NetworkStream(_socket, ownsSocket: true);
        try
        {
            // The PROXY header and TLS come before the pipe: its stream is what the WebSocket is spoken over.
            if (await OpenTransportAsync(stream).ConfigureAwait(false) is { } transport)
            {
                stream = transport;
                await ServeAsync(stream).ConfigureAwait(false);
            }
        }
        finally
        {
            await stream.DisposeAsync().ConfigureAwait(false);
            _receiving.Dispose();
        }
    }

    private async Task ServeAsync(Stream stream)
    {
        PipeReader input = PipeReader.Create(stream, ReaderOptions);
        try
        {
            AcceptedUpgrade? upgrade = await ReadUpgradeAsync(input, stream).ConfigureAwait(false);
            if (upgrade is { } accepted) await RunSessionAsync(input, stream, accepted).ConfigureAwait(false);
        }
        catch (Exception ex) when (IsTransportEnd(ex))
        {
            Log.TransportEnded(_server.Logger, _id, ex.Message);
        }
        finally
        {
            await input.CompleteAsync().ConfigureAwait(false);
        }
    }

    private async Task RunSessionAsync(PipeReader input, Stream stream, AcceptedUpgrade upgrade)
    {
        ServerOptions options = _server.Options;
        var outbox = new Outbox(options.SendQueueLimit);
        outbox.TryWriteEncoded(upgrade.Answer.WrittenSpan, endsWithClose: false, ignoreLimit: true);
        Task pump = outbox.PumpAsync(stream);

        var connection = new WebSocketConnection(CreateInfo(upgrade), outbox, OnCloseQueued);
        using var session = new ProtocolSession(EndpointRole.Server, UseCompression(new ProtocolOptions
        {
            MaxMessageSize = upgrade.Route.Options.MaxMessageSize ?? options.MaxMessageSize,
        }, outbox));
        HandlerSession handler = upgrade.Route.CreateSession();
        MarkReceived();
        Volatile.Write(ref _connection, connection);
        _server.Register(connection, this);
        Log.ConnectionOpened(_server.Logger, _id, _remote, upgrade.Request.Path);
        ServerMetrics.ConnectionOpened();
        try
        {
            if (await TryInitAsync(handler, connection).ConfigureAwait(false))
            {
                await ReceiveUntilClosedAsync(input, session, outbox, handler, upgrade.Route.Options).ConfigureAwait(false);
                await CallClosedAsync(handler).ConfigureAwait(false);
            }
        }
        finally
        {
            Volatile.Write(ref _connection, null);
            _server.Unregister(connection);
            await FinishAsync(input, outbox, pump).ConfigureAwait(false);
            ConnectionClosed closed = _closed ?? Abnormal(null);
            Log.ConnectionClosed(_server.Logger, _id, _remote, closed.Initiator, (int?)closed.Code, closed.Code, closed.Reason);
            ServerMetrics.ConnectionClosed(closed.Code);
            connection.Complete();
        }
    }

    private ConnectionInfo CreateInfo(AcceptedUpgrade upgrade)
    {
        (bool isTls, SslProtocols? protocol, string? serverName) = TlsInfo();
        return new()
        {
            Id = _id,
            RemoteEndPoint = _remote,
            LocalEndPoint = _local,
            Path = upgrade.Request.Path,
            Query = upgrade.Request.Query,
            Headers = upgrade.Request.Headers,
            Subprotocol = upgrade.Accept.Subprotocol,
            Extensions = upgrade.Accept.Extensions,
            IsTls = isTls,
            TlsProtocol = protocol,
            TlsServerName = serverName,
            Items = upgrade.Items,
            AcceptedAt = _acceptedAt,
        };
    }

    private async ValueTask<bool> TryInitAsync(HandlerSession handler, WebSocketConnection connection)
    {
        try
        {
            await handler.InitAsync(connection, _receiving.Token).ConfigureAwait(false);
            return true;
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !_receiving.IsCancellationRequested)
        {
            FailHandler(ex, connection);
            return false;
        }
    }

    private async ValueTask CallClosedAsync(HandlerSession handler)
    {
        try
        {
            await handler.ClosedAsync(_closed ?? Abnormal(null)).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            Log.ClosedCallbackFailed(_server.Logger, _id, ex);
        }
    }

    /// <summary>Called from any thread when a close frame is queued; the peer has the close timeout
    /// to answer before the connection is cut.</summary>
    private void OnCloseQueued(CloseCode? code, string? reason)
    {
        _localClose ??= new ConnectionClosed(code, reason ?? "", CloseInitiator.Server);
        try
        {
            _receiving.CancelAfter(_server.Options.CloseTimeout);
        }
        catch (ObjectDisposedException)
        {
            // The connection already ended.
        }
    }

    private void FailHandler(Exception ex, WebSocketConnection connection)
    {
        Log.HandlerFailed(_server.Logger, _id, ex);
        // The peer learns that the server failed, not why (no details cross the wire).
        _closed ??= new ConnectionClosed(CloseCode.InternalError, "internal error", CloseInitiator.Server, ex);
        connection.Close(CloseCode.InternalError, "internal error");
    }

    /// <summary>Lets queued frames (the close frame above all) reach the peer, then half-closes and
    /// reads until the peer's FIN, all bounded by the close timeout, so our last frames are not lost
    /// to a reset (RFC 6455 §7.1.1: the server closes the TCP connection first).</summary>
    private async Task FinishAsync(PipeReader input, Outbox outbox, Task pump)
    {
        if (!outbox.IsCloseQueued || _closed?.Initiator == CloseInitiator.Transport) outbox.Stop();
        using var linger = new CancellationTokenSource(_server.Options.CloseTimeout, _server.Time);
        using CancellationTokenRegistration abort = _server.Aborting.UnsafeRegister(
            static s => ((CancellationTokenSource)s!).Cancel(), linger);
        try
        {
            await pump.WaitAsync(linger.Token).ConfigureAwait(false);
            await ShutdownSendAsync().ConfigureAwait(false);
            while (true)
            {
                ReadResult read = await input.ReadAsync(linger.Token).ConfigureAwait(false);
                input.AdvanceTo(read.Buffer.End);
                if (read.IsCompleted) break;
            }
        }
        catch (Exception ex) when (IsTransportEnd(ex))
        {
            outbox.Stop();
        }
    }

    private ConnectionClosed Abnormal(Exception? error) =>
        _localClose ?? new ConnectionClosed(CloseCode.AbnormalClosure, "", CloseInitiator.Transport, error);

    private static bool IsTransportEnd(Exception ex) =>
        ex is IOException or SocketException or ObjectDisposedException or OperationCanceledException
            or InvalidOperationException { Source: "System.IO.Pipelines" };
}
