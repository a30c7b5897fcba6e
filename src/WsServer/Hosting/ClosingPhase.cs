using System.IO.Pipelines;
using WsServer.Diagnostics;
using WsServer.Connections;
using WsServer.Protocol.Closing;
using WsServer.Transport;

namespace WsServer.Hosting;

/// <summary>
/// The last phase, after the session stopped reading: the handler is told how the connection ended
/// (exactly once, if its init returned), then our last frames go out, our FIN, and the peer's FIN is
/// awaited (RFC 6455 §7.1.1: the server closes the TCP connection first, but not before its close
/// frame has left), all within the one close deadline; a peer that closed first and has sent nothing
/// since is not waited for. Then the connection is counted and logged.
/// </summary>
internal sealed class ClosingPhase(ServerContext server, ConnectionTransport transport, WebSocketConnection connection,
    ICloseDeadline deadline)
{
    public async Task RunAsync(bool initialized)
    {
        LiveSession live = connection.Live;
        live.TransportEnded(null); // no-op when a close was exchanged; else the end is abnormal (1006)
        ConnectionClosed ending = live.Ending!;
        live.End();
        server.Unregister(connection);
        connection.EndSubscriptions();
        connection.Mailbox.Clear();
        connection.Liveness.FailAll(() => new ConnectionClosedException(connection.Id));
        deadline.Arm();
        if (ending.Initiator == CloseInitiator.Transport) live.StopWriting();
        if (initialized) await connection.Calls.ClosedAsync(ending, server.Aborting).ConfigureAwait(false);
        await LingerAsync(ending).ConfigureAwait(false);
        live.Release();
        server.ReturnRateLimiter(connection.RateLimiter, connection.Info.RemoteEndPoint.Address);
        Log.ConnectionClosed(server.Logger, connection.Id, transport.Remote, ClosedBy(ending.Initiator), ending.Code, ending.Reason);
        server.Metrics.ConnectionClosed(ending.Code);
        connection.Complete();
    }

    /// <summary>What the peer may still send after the close before it is cut: what was in flight, no more.</summary>
    internal const int LingerReadLimit = 64 * 1024;

    private async Task LingerAsync(ConnectionClosed ending)
    {
        await connection.Live.WhenWritten().ConfigureAwait(false); // the deadline ends it if the peer stops reading
        if (ending.Initiator == CloseInitiator.Transport || transport.IsAborted || !transport.CanEndSending) return;
        // The peer closed first and has sent nothing since: after its close frame it sends nothing but its FIN
        // (RFC 6455 §5.5.1), and with both close frames through the connection is closed now, not after that FIN.
        if (ending.Initiator == CloseInitiator.Peer && !transport.Input.MayHaveMore) return;
        try
        {
            await transport.ShutdownSendAsync().ConfigureAwait(false);
            long discarded = 0;
            while (true)
            {
                ReadResult read = await transport.Input.ReadAsync().ConfigureAwait(false); // the deadline aborts the transport
                discarded += read.Buffer.Length;
                transport.Input.AdvanceTo(read.Buffer.End);
                if (read.IsCompleted) return;
                // After the close a peer has nothing left to send but its FIN: one that floods on (after failing the
                // protocol, say) is cut, not read at wire speed until the deadline.
                if (discarded > LingerReadLimit)
                {
                    transport.Abort();
                    return;
                }
            }
        }
        catch (Exception ex) when (ConnectionTransport.IsEnd(ex))
        {
            // Cut at the deadline, or the peer reset instead of sending its FIN: either way, done.
        }
    }
    // Who ended a connection, as its log line says it.
    private static string ClosedBy(CloseInitiator initiator) => initiator switch
    {
        CloseInitiator.Peer => "the peer",
        CloseInitiator.Local => "the server",
        _ => "the network (no closing handshake)",
    };
}
