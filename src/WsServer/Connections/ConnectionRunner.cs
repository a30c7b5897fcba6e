using System.IO.Pipelines;
using System.Net.Sockets;
using WsServer.Diagnostics;
using WsServer.Hosting;
using WsServer.Transport;

namespace WsServer.Connections;

/// <summary>
/// Serves one accepted socket through the phases of a connection, each handing a value to the next:
/// transport opened (<see cref="TransportOpener"/>), upgrade answered (<see cref="UpgradePhase"/>),
/// session running (<see cref="SessionLoop"/>), finished (<see cref="ClosingPhase"/>). Never throws:
/// whatever escapes a phase is logged, and the connection still finishes. On an epoll socket the
/// session parks between reads and its end starts the last phase, so no async method of the
/// connection is suspended while its peer is quiet; elsewhere one async method runs to the end.
/// </summary>
internal sealed class ConnectionRunner : ISessionOwner
{
    // For TLS: zero-byte reads, so an idle connection waits without a receive buffer (as SocketReader does).
    private static readonly StreamPipeReaderOptions ReaderOptions =
        new(bufferSize: 4096, minimumReadSize: 1024, leaveOpen: true, useZeroByteReads: true);

    private readonly ServerContext _server;
    private readonly Action _finished;
    private OpenTransport? _transport;
    private PipeReader? _input;
    private int _tracked = -1; // the transport's slot among those an abort cuts
    private IDisposable? _scope;
    private CloseDeadline? _deadline;
    private WebSocketConnection? _connection;
    private bool _parked; // the session finishes the connection itself

    private ConnectionRunner(ServerContext server, Action finished)
    {
        _server = server;
        _finished = finished;
    }

    /// <summary>Serves <paramref name="socket"/> to the end, then calls <paramref name="finished"/>. Never
    /// throws: whatever escapes a phase is logged.</summary>
    public static Task RunAsync(ServerContext server, Socket socket, Listener listener, Action finished) =>
        new ConnectionRunner(server, finished).RunAsync(socket, listener);

    private async Task RunAsync(Socket socket, Listener listener)
    {
        try
        {
            _transport = await TransportOpener.OpenAsync(_server, socket, listener).ConfigureAwait(false);
            if (_transport is null) return;
            _tracked = _server.Track(_transport);
            _input = _transport.CreateInput(ReaderOptions);
            EstablishedConnection? established = await UpgradeAsync(_transport, _input).ConfigureAwait(false);
            if (established is null) return;
            WebSocketConnection connection = Begin(established.Connection, _transport);
            bool initialized = false;
            try
            {
                initialized = await connection.Calls.InitAsync(connection).ConfigureAwait(false);
                if (initialized)
                {
                    var session = new SessionLoop(_server, _input, established, connection.Liveness, _transport.Aborted);
                    if (_input is SocketReader { CanPark: true } reader)
                    {
                        _parked = true;
                        session.Start(reader, this);
                        return;
                    }
                    await session.RunAsync().ConfigureAwait(false);
                }
            }
            catch (Exception ex)
            {
                Absorb(ex);
            }
            await CloseAsync(initialized).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            // The phases catch what a connection can throw; anything else is a bug, logged, never lost.
            Log.ConnectionTaskFailed(_server.Logger, ex);
        }
        finally
        {
            if (!_parked) await ReleaseAsync().ConfigureAwait(false);
        }
    }

    /// <summary>The parked session has ended (its fault, if any): the last phase, in the connection's context.</summary>
    void ISessionOwner.SessionEnded(Exception? fault) => _ = EndParkedAsync(fault);

    private async Task EndParkedAsync(Exception? fault)
    {
        try
        {
            if (fault is not null) Absorb(fault);
            await CloseAsync(initialized: true).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            Log.ConnectionTaskFailed(_server.Logger, ex);
        }
        finally
        {
            await ReleaseAsync().ConfigureAwait(false);
        }
    }

    private async Task<EstablishedConnection?> UpgradeAsync(OpenTransport transport, PipeReader input)
    {
        try
        {
            return await new UpgradePhase(_server, transport, input).RunAsync().ConfigureAwait(false);
        }
        catch (Exception ex) when (OpenTransport.IsEnd(ex))
        {
            Log.HandshakeAbandoned(_server.Logger, transport.Remote, ex.Message);
            return null;
        }
    }

    // The connection's log scope (it flows into every later phase), its close deadline, and its writer.
    private WebSocketConnection Begin(WebSocketConnection connection, OpenTransport transport)
    {
        _connection = connection;
        _scope = Log.ConnectionScope(_server.Logger, connection.Id, connection.Info.RemoteEndPoint, connection.Info.Path);
        _deadline = new CloseDeadline(_server.Time, _server.Options.CloseTimeout, transport);
        connection.Live.OnClosing(_deadline);
        connection.Live.Outbox.StartWriting(transport);
        return connection;
    }

    /// <summary>What ended the session early: the transport (reset, cut), or a fault of ours or a library's
    /// (zlib); the handler's own faults are caught by <see cref="HandlerCalls"/>.</summary>
    private void Absorb(Exception ex)
    {
        if (OpenTransport.IsEnd(ex))
        {
            _connection!.Live.TransportEnded(_transport!.IsAborted ? null : ex);
            Log.TransportEnded(_server.Logger, _connection.Id, ex.Message);
        }
        else
        {
            Log.ConnectionFailed(_server.Logger, _connection!.Id, ex);
            _connection.Live.Fail(ex);
        }
    }

    private Task CloseAsync(bool initialized) =>
        new ClosingPhase(_server, _transport!, _input!, _connection!, _deadline!).RunAsync(initialized);

    private async Task ReleaseAsync()
    {
        _scope?.Dispose();
        _deadline?.Dispose();
        if (_tracked >= 0) _server.Untrack(_tracked);
        try
        {
            if (_input is not null) await _input.CompleteAsync().ConfigureAwait(false);
            if (_transport is not null) await _transport.DisposeAsync().ConfigureAwait(false);
        }
        finally
        {
            _finished();
        }
    }
}
