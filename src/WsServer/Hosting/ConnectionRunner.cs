using System.Net.Sockets;
using WsServer.Connections;
using WsServer.Diagnostics;
using WsServer.Transport;

namespace WsServer.Hosting;

/// <summary>
/// Serves one accepted socket through the phases of a connection, each handing a value to the next:
/// transport opened (<see cref="TransportOpener"/>), upgrade answered (<see cref="UpgradePhase"/>),
/// session running (<see cref="StartSession"/>), finished (<see cref="ClosingPhase"/>). Never throws:
/// whatever escapes a phase is logged, and the connection still finishes. The session parks between
/// reads and its end starts the last phase, so no async method of the connection is suspended while its
/// peer is quiet. The runner also holds the connection's close deadline and is its log scope, so that
/// neither is an object of its own.
/// </summary>
internal sealed partial class ConnectionRunner : ICloseDeadline
{
    private readonly ServerContext _server;
    private readonly Action _finished;
    private ConnectionTransport? _transport;
    private long _tracked = -1; // the transport's slot among those an abort cuts
    private IDisposable? _scope;
    private CloseDeadline _deadline; // used in place
    private WebSocketConnection? _connection;

    private ConnectionRunner(ServerContext server, Action finished)
    {
        _server = server;
        _finished = finished;
    }

    /// <summary>Serves <paramref name="socket"/> to the end, then calls <paramref name="finished"/>. Never
    /// throws: whatever escapes a phase is logged.</summary>
    public static Task RunAsync(ServerContext server, Socket socket, Listener listener, Action finished) =>
        new ConnectionRunner(server, finished).RunAsync(socket, listener, opened: null);

    /// <summary>Serves a connection whose transport another host opened (a stream it hands over): from the
    /// upgrade on, as for an accepted socket.</summary>
    public static Task RunAsync(ServerContext server, ConnectionTransport opened, Action finished) =>
        new ConnectionRunner(server, finished).RunAsync(socket: null, listener: null, opened);

    /// <summary>Serves a connection another HTTP server upgraded (its answer sent, its stream handed over to
    /// <paramref name="transport"/>): from the handler's init on, as for an accepted socket.</summary>
    public static Task RunEstablishedAsync(ServerContext server, ConnectionTransport transport, EstablishedConnection established, Action finished)
    {
        var runner = new ConnectionRunner(server, finished) { _transport = transport };
        runner._tracked = server.Track(transport);
        return runner.ServeAsync(established);
    }

    private async Task RunAsync(Socket? socket, Listener? listener, ConnectionTransport? opened)
    {
        EstablishedConnection? established;
        try
        {
            established = await EstablishAsync(socket, listener, opened).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            // The phases catch what a connection can throw; anything else is a bug, logged, never lost.
            Log.ConnectionTaskFailed(_server.Logger, ex);
            established = null;
        }
        if (established is null)
        {
            await ReleaseAsync().ConfigureAwait(false);
            return;
        }
        await ServeAsync(established).ConfigureAwait(false);
    }

    /// <summary>The handler's init, then the session loop, whose end starts the last phase.</summary>
    private async Task ServeAsync(EstablishedConnection established)
    {
        // Here, in the method that goes on to the session loop: the log scope is to flow into every later phase.
        Begin(established.Connection, _transport!);
        if (_transport!.IsAborted)
        {
            // Cut before it began (an upgrade its host gave up, the server aborting): no handler to tell.
            await FinishAsync(null, initialized: false).ConfigureAwait(false);
            return;
        }
        bool initialized = false;
        try
        {
            initialized = await _connection!.Calls.InitAsync(_connection).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            await FinishAsync(ex, initialized: false).ConfigureAwait(false);
            return;
        }
        if (!initialized)
        {
            await FinishAsync(null, initialized: false).ConfigureAwait(false);
            return;
        }
        StartSession(established.Route);
    }

    /// <summary>The session has ended (its fault, if any): the last phase, in the connection's context.</summary>
    private void SessionEnded(Exception? fault) => _ = FinishAsync(fault, initialized: true);

    /// <summary>Opens the transport and answers the upgrade; null when there is no connection to serve.</summary>
    private async Task<EstablishedConnection?> EstablishAsync(Socket? socket, Listener? listener, ConnectionTransport? opened)
    {
        _transport = opened ?? await TransportOpener.OpenAsync(_server, socket!, listener!).ConfigureAwait(false);
        if (_transport is null) return null;
        _tracked = _server.Track(_transport);
        try
        {
            return await new UpgradePhase(_server, _transport, _transport.Input).RunAsync().ConfigureAwait(false);
        }
        catch (Exception ex) when (ConnectionTransport.IsEnd(ex))
        {
            Log.HandshakeAbandoned(_server.Logger, _transport.Remote, ex.Message);
            return null;
        }
    }

    // The connection's log scope (it flows into every later phase), its close deadline, and its writer.
    private void Begin(WebSocketConnection connection, ConnectionTransport transport)
    {
        _connection = connection;
        _scope = Log.ConnectionScope(_server.Logger, this);
        connection.Live.OnClosing(this);
        connection.Live.StartWriting(transport);
    }

    void ICloseDeadline.Arm() => _deadline.Arm(_server.Time, _server.Options.CloseTimeout, _transport!);

    /// <summary>The one ending of an established connection: what ended it early is absorbed, the handler
    /// is told (once, if its init returned), the connection is closed and its transport released.</summary>
    private async Task FinishAsync(Exception? fault, bool initialized)
    {
        try
        {
            if (fault is not null) Absorb(fault);
            await new ClosingPhase(_server, _transport!, _connection!, this).RunAsync(initialized).ConfigureAwait(false);
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

    /// <summary>What ended the session early: the transport (reset, cut), or a fault of ours or a library's
    /// (zlib); the handler's own faults are caught by <see cref="HandlerCalls"/>.</summary>
    private void Absorb(Exception ex)
    {
        if (ConnectionTransport.IsEnd(ex))
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

    private async Task ReleaseAsync()
    {
        _scope?.Dispose();
        _deadline.Dispose();
        if (_tracked >= 0) _server.Untrack(_tracked);
        try
        {
            if (_transport is not null) await _transport.DisposeAsync().ConfigureAwait(false);
        }
        finally
        {
            _finished();
        }
    }
}
