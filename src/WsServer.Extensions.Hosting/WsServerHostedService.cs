using Microsoft.Extensions.Hosting;
using WsServer.Hosting;

namespace WsServer.Extensions.Hosting;

/// <summary>Runs the container's <see cref="WebSocketServer"/> for the host's lifetime: it starts listening
/// when the host starts, then joins its Redis backplane if it has one; the host's stop drains it (close
/// 1001, then up to <see cref="ServerOptions.DrainTimeout"/>, cut short if the host's shutdown timeout
/// passes first), then leaves the backplane.</summary>
internal sealed class WsServerHostedService(WebSocketServer server, WsServerSetup setup) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await server.StartAsync(cancellationToken).ConfigureAwait(false);
        if (setup.Backplane is { } backplane) await backplane.StartAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await server.StopAsync(cancellationToken).ConfigureAwait(false);
        if (setup.Backplane is { } backplane) await backplane.DisposeAsync().ConfigureAwait(false);
    }
}
