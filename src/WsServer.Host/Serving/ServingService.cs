using System.Net.Sockets;
using System.Net;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using WsServer.Extensions.Hosting;
using WsServer.Host.Cli;
using WsServer.Host.Configuration;
using WsServer.Host.Exits;
using WsServer.Host.Status;
using WsServer.Hosting;
using WsServer.Redis;

namespace WsServer.Host.Serving;

/// <summary>The program's server for the host's lifetime: it listens, says where, and joins Redis when the
/// host starts; it drains (close 1001, bounded by the drain timeout) when the host stops, which the
/// host's console lifetime does on Ctrl+C or SIGTERM.</summary>
internal sealed class ServingService(HostSettings settings, ServerOptions options, ILoggerFactory loggers, TextWriter output,
    StatusFeed? status = null) : IHostedService
{
    private WebSocketServer? _server;
    private RedisBackplane? _backplane;

    /// <summary>Starts serving. Throws <see cref="UsageException"/> for options the library refuses, and
    /// <see cref="StartFailedException"/> with the line to print when the server cannot listen.</summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            _server = new WebSocketServer(options, loggers);
            // Checked before anything listens: a bad address is a usage error naming it.
            if (settings.Redis is { } redis) _backplane = new RedisBackplane(_server, redis, loggers);
        }
        catch (ArgumentException ex)
        {
            // Every value is checked when it is read; this is the library's word on a combination, as a usage error.
            await DisposeAsync().ConfigureAwait(false);
            throw new UsageException(UserMessage.Of(ex), ex);
        }
        try
        {
            await _server.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is InvalidOperationException or IOException)
        {
            await DisposeAsync().ConfigureAwait(false);
            // A certificate that cannot be loaded, or an address that cannot be bound, is said at start.
            throw new StartFailedException(ex.Message, ex);
        }

        await output.WriteLineAsync(
            $"wsserver {HostedServer.Version} listening on {(options.Tls is null ? "ws" : "wss")}://{_server.LocalEndPoints[0]}/ with {Served()} ({Workers()})").ConfigureAwait(false);
        await output.FlushAsync(cancellationToken).ConfigureAwait(false);
        if (status is not null)
        {
            status.Backplane = () => _backplane is not { } backplane ? "none" : backplane.IsConnected ? "connected" : "away";
            status.Start();
            await output.WriteLineAsync($"wsserver: status page at {settings.Status!.Path}").ConfigureAwait(false);
            await output.FlushAsync(cancellationToken).ConfigureAwait(false);
        }
        if (_backplane is not null)
        {
            // After listening: an unreachable Redis is logged and retried while local clients are served.
            await _backplane.StartAsync(cancellationToken).ConfigureAwait(false);
            string state = _backplane.IsConnected ? "shared over Redis" : "to be shared over Redis once it is reachable";
            await output.WriteLineAsync($"wsserver: rooms {state} at {_backplane.RedisName} as node {_backplane.NodeId}").ConfigureAwait(false);
            await output.FlushAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>What the start line says is served: the routes, and the handler when it serves any path.</summary>
    private string Served()
    {
        string handler = $"handler {settings.Handler}";
        if (settings.Routes.Count == 0) return handler;
        string routes = "routes " + string.Join(", ", settings.Routes.Select(r => $"{r.Pattern}={r.Handler}"));
        return settings.Fallback is null ? routes : $"{routes} and {handler} elsewhere";
    }

    /// <summary>The workers the server really has: a descriptor limit may leave room for fewer than asked.</summary>
    private string Workers() => _server!.Capacity < options.Workers
        ? $"workers {_server.Capacity}, not {options.Workers}: the file descriptor limit, ulimit -n, leaves room for no more"
        : $"workers {options.Workers}";

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_server is not null) await _server.StopAsync(cancellationToken).ConfigureAwait(false);
        await DisposeAsync().ConfigureAwait(false);
    }

    private async Task DisposeAsync()
    {
        if (_backplane is not null) await _backplane.DisposeAsync().ConfigureAwait(false);
        if (_server is not null) await _server.DisposeAsync().ConfigureAwait(false);
        (_backplane, _server) = (null, null);
    }
}

/// <summary>The server could not start listening: the program prints the message and exits with
/// <see cref="ExitCodes.StartFailure"/>.</summary>
internal sealed class StartFailedException(string message, Exception innerException) : Exception(message, innerException);
