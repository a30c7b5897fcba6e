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
/// whatever escapes a phase is logged, and the connection still finishes.
/// </summary>
internal static class ConnectionRunner
{
    // For TLS: zero-byte reads, so an idle connection waits without a receive buffer (as SocketReader does).
    private static readonly StreamPipeReaderOptions ReaderOptions =
        new(bufferSize: 4096, minimumReadSize: 1024, leaveOpen: true, useZeroByteReads: true);

    /// <summary>Serves <paramref name="socket"/> to the end, then calls <paramref name="finished"/>. Never
    /// throws: whatever escapes a phase is logged. The session runs in this same async method, because
    /// each async frame a connection keeps for its life is memory every idle connection holds.</summary>
    public static async Task RunAsync(ServerContext server, Socket socket, Listener listener, Action finished)
    {
        OpenTransport? transport = null;
        PipeReader? input = null;
        try
        {
            transport = await TransportOpener.OpenAsync(server, socket, listener).ConfigureAwait(false);
            if (transport is null) return;
            using CancellationTokenRegistration abort = server.Aborting.UnsafeRegister(static t => ((OpenTransport)t!).Abort(), transport);
            input = transport.CreateInput(ReaderOptions);
            EstablishedConnection? established = null;
            try
            {
                established = await new UpgradePhase(server, transport, input).RunAsync().ConfigureAwait(false);
            }
            catch (Exception ex) when (OpenTransport.IsEnd(ex))
            {
                Log.HandshakeAbandoned(server.Logger, transport.Remote, ex.Message);
            }
            if (established is null) return;

            WebSocketConnection connection = established.Connection;
            using IDisposable? scope = Log.ConnectionScope(server.Logger, connection.Id, connection.Info.RemoteEndPoint, connection.Info.Path);
            using var deadline = new CloseDeadline(server.Time, server.Options.CloseTimeout, transport);
            connection.Live.OnClosing(deadline.Arm);
            Task written = connection.Live.Outbox.WriteToAsync(transport);
            bool initialized = false;
            try
            {
                initialized = await connection.Calls.InitAsync(connection).ConfigureAwait(false);
                if (initialized)
                    await new SessionLoop(server, input, established, connection.Liveness, transport.Aborted).RunAsync().ConfigureAwait(false);
            }
            catch (Exception ex) when (OpenTransport.IsEnd(ex))
            {
                connection.Live.TransportEnded(transport.IsAborted ? null : ex);
                Log.TransportEnded(server.Logger, connection.Id, ex.Message);
            }
            catch (Exception ex)
            {
                // Not the handler's (HandlerCalls catches those) nor the peer's: ours or a library's (zlib).
                Log.ConnectionFailed(server.Logger, connection.Id, ex);
                connection.Live.Fail(ex);
            }
            await new ClosingPhase(server, transport, input, connection, deadline, written).RunAsync(initialized).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            // The phases catch what a connection can throw; anything else is a bug, logged, never lost.
            Log.ConnectionTaskFailed(server.Logger, ex);
        }
        finally
        {
            if (input is not null) await input.CompleteAsync().ConfigureAwait(false);
            if (transport is not null) await transport.DisposeAsync().ConfigureAwait(false);
            finished();
        }
    }
}
