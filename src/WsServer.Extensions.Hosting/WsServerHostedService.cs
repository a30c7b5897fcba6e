using Microsoft.Extensions.Hosting;
using WsServer.Hosting;

namespace WsServer.Extensions.Hosting;

/// <summary>Runs the container's <see cref="WebSocketServer"/> for the host's lifetime: it starts listening
/// when the host starts (or, serving another HTTP server's endpoints, starts without listeners), then joins
/// its Redis backplane if it has one; the host's stop drains it (close 1001, then up to
/// <see cref="ServerOptions.DrainTimeout"/>, cut short if the host's shutdown timeout passes first), then
/// leaves the backplane. A start that cannot listen throws the server's <see cref="IOException"/>, which names the
/// address. Without listeners of its own the drain begins when the application starts stopping: the HTTP
/// server waits for its requests, WebSocket ones included, before the hosted services stop.</summary>
internal sealed class WsServerHostedService(WebSocketServer server, WsServerSetup setup, IHostApplicationLifetime? lifetime = null)
    : IHostedService
{
    private readonly CancellationTokenSource _cutShort = new(); // the host's shutdown timeout, once it passes
    private Task? _draining;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (setup.OwnListeners)
        {
            await server.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        else
        {
            server.StartWithoutListeners();
            lifetime?.ApplicationStopping.Register(() => _draining ??= server.StopAsync(_cutShort.Token));
        }
        if (setup.Backplane is { } backplane) await backplane.StartAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        using (cancellationToken.Register(_cutShort.Cancel))
            await (_draining ?? server.StopAsync(_cutShort.Token)).ConfigureAwait(false);
        if (setup.Backplane is { } backplane) await backplane.DisposeAsync().ConfigureAwait(false);
    }
}
