using System.Net;
using System.Net.Sockets;
using System.Reflection;
using Microsoft.Extensions.Logging;
using WsServer.Host.Cli;
using WsServer.Host.Configuration;
using WsServer.Host.Handlers;
using WsServer.Hosting;
using WsServer.Redis;

namespace WsServer.Host.Serving;

/// <summary>Runs a <see cref="WebSocketServer"/> for the program: starts it, prints one line saying
/// where it listens, serves until SIGINT or SIGTERM, then drains (close 1001, bounded wait).</summary>
internal static class HostedServer
{
    /// <summary>The program's version, as <c>--version</c> prints it.</summary>
    public static string Version { get; } =
        typeof(HostedServer).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0";

    /// <summary>Serves with <paramref name="settings"/> and returns the exit code. Throws
    /// <see cref="UsageException"/> when the handler cannot be loaded.</summary>
    public static async Task<int> RunAsync(HostSettings settings, TextWriter output, TextWriter error)
    {
        InlineSocketCompletions.Use(settings.UsesInlineIo, explicitly: settings.InlineIo is not null);
        ServerOptions options = CreateOptions(settings);

        // Registered before binding, so a signal that arrives during start-up still drains.
        using var shutdown = new ShutdownSignal();
        using ILoggerFactory loggerFactory = CreateLoggerFactory(settings.LogLevel);
        WebSocketServer created;
        RedisBackplane? backplane = null;
        try
        {
            created = new WebSocketServer(options, loggerFactory);
            // Checked before anything listens: a bad address is a usage error naming it.
            if (settings.Redis is { } redis)
                backplane = new RedisBackplane(created, redis, loggerFactory);
        }
        catch (ArgumentException ex)
        {
            // Every flag is checked when it is read; this is the library's word on a combination, as a usage error.
            throw new UsageException(ex.Message, ex);
        }
        await using WebSocketServer server = created;
        await using RedisBackplane? scaleOut = backplane;
        try
        {
            await server.StartAsync().ConfigureAwait(false);
        }
        catch (InvalidOperationException ex)
        {
            // A certificate that cannot be loaded: said at start, not at the first connection.
            await error.WriteLineAsync($"wsserver: {ex.Message}").ConfigureAwait(false);
            return ExitCodes.StartFailure;
        }
        catch (SocketException ex)
        {
            await error.WriteLineAsync(
                $"wsserver: cannot listen on {new IPEndPoint(options.Address, options.Port)}: {ex.Message}").ConfigureAwait(false);
            return ExitCodes.StartFailure;
        }

        IPEndPoint bound = server.LocalEndPoints[0];
        await output.WriteLineAsync(
            $"wsserver {Version} listening on {(options.Tls is null ? "ws" : "wss")}://{bound}/ with handler {settings.Handler} (workers {options.Workers})").ConfigureAwait(false);
        await output.FlushAsync().ConfigureAwait(false);
        if (scaleOut is not null)
        {
            // After listening: an unreachable Redis is logged and retried while local clients are served.
            await scaleOut.StartAsync().ConfigureAwait(false);
            string state = scaleOut.IsConnected ? "shared over Redis" : "to be shared over Redis once it is reachable";
            await output.WriteLineAsync($"wsserver: rooms {state} at {scaleOut.RedisName} as node {scaleOut.NodeId}").ConfigureAwait(false);
            await output.FlushAsync().ConfigureAwait(false);
        }

        await shutdown.Requested.ConfigureAwait(false);
        await server.StopAsync().ConfigureAwait(false);
        return ExitCodes.Success;
    }

    /// <summary>The server options <paramref name="settings"/> ask for, handlers registered on them. Throws
    /// <see cref="UsageException"/> when a handler cannot be loaded. Call once per settings.</summary>
    internal static ServerOptions CreateOptions(HostSettings settings)
    {
        ServerOptions options = settings.Options;
        foreach (HandlerRoute route in settings.Routes)
            HandlerCatalog.Register(route.Handler, options, route.Pattern, route.Options, settings.ChatHistory);
        if (settings.Fallback is { } fallback) HandlerCatalog.Register(settings.Handler, options, null, fallback, settings.ChatHistory);
        return options;
    }

    private static ILoggerFactory CreateLoggerFactory(LogLevel level) => LoggerFactory.Create(logging => logging
        .SetMinimumLevel(level)
        .AddSimpleConsole(console =>
        {
            console.SingleLine = true;
            console.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fff ";
            console.UseUtcTimestamp = true;
        }));
}
