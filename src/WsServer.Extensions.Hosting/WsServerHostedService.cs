using Microsoft.Extensions.Hosting;
using WsServer.Hosting;

namespace WsServer.Extensions.Hosting;

/// <summary>Runs the container's <see cref="WebSocketServer"/> for the host's lifetime: it starts listening
/// when the host starts, and the host's stop drains it (close 1001, then up to
/// <see cref="ServerOptions.DrainTimeout"/>, cut short if the host's shutdown timeout passes first).</summary>
internal sealed class WsServerHostedService(WebSocketServer server) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => server.StartAsync(cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => server.StopAsync(cancellationToken);
}
