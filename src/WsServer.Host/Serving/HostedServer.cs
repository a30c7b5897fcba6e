using System.Reflection;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using WsServer.Extensions.Hosting;
using WsServer.Host.Cli;
using WsServer.Host.Configuration;
using WsServer.Host.Exits;
using WsServer.Host.Handlers;
using WsServer.Host.Status;
using WsServer.Hosting;

namespace WsServer.Host.Serving;

/// <summary>Runs the program's <see cref="WebSocketServer"/> in a generic host (see <see cref="ServingService"/>):
/// it serves until SIGINT or SIGTERM, then drains (close 1001, bounded wait).</summary>
internal static class HostedServer
{
    /// <summary>The program's version, as <c>--version</c> prints it.</summary>
    public static string Version { get; } =
        typeof(HostedServer).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0";

    /// <summary>Serves with <paramref name="settings"/> until Ctrl+C or SIGTERM, and returns the exit code.
    /// Throws <see cref="UsageException"/> when a handler cannot be loaded or the library refuses an option.</summary>
    public static async Task<int> RunAsync(HostSettings settings, TextWriter output, TextWriter error)
    {
        InlineSocketCompletions.Use(settings.UsesInlineIo, explicitly: settings.InlineIo is not null);
        ServerOptions options = CreateOptions(settings);
        using StatusFeed? status = MapStatus(settings, options);

        // A generic host for its console lifetime (Ctrl+C, SIGTERM: stop, which drains) and its logging.
        HostApplicationBuilder builder = Microsoft.Extensions.Hosting.Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        ConfigureLogging(builder.Logging, settings.LogLevel);
        builder.Services.Configure<ConsoleLifetimeOptions>(lifetime => lifetime.SuppressStatusMessages = true);
        // The drain timeout bounds the stop; the host's own (30 s) would cut a longer drain short.
        builder.Services.Configure<Microsoft.Extensions.Hosting.HostOptions>(host => host.ShutdownTimeout = Timeout.InfiniteTimeSpan);
        if (settings.OtlpEndpoint is { } collector) Telemetry.AddExport(builder.Services, collector);
        builder.Services.AddHostedService(services => new ServingService(settings, options, services.GetRequiredService<ILoggerFactory>(), output, status));
        using IHost host = builder.Build();
        try
        {
            await host.StartAsync().ConfigureAwait(false);
        }
        catch (StartFailedException ex)
        {
            await error.WriteLineAsync($"wsserver: {ex.Message}").ConfigureAwait(false);
            return ExitCodes.StartFailure;
        }
        await host.WaitForShutdownAsync().ConfigureAwait(false);
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

    /// <summary>Maps the status page when asked for, before the server exists (its listener counts connections
    /// from the first). Throws <see cref="UsageException"/> when a route already serves its path.</summary>
    private static StatusFeed? MapStatus(HostSettings settings, ServerOptions options)
    {
        if (settings.Status is not { } status) return null;
        try
        {
            return StatusPage.Map(options, status);
        }
        catch (ArgumentException ex)
        {
            throw new UsageException($"--status {status.Path}: {UserMessage.Of(ex)}", ex);
        }
    }

    /// <summary>Single-line console logs. They print no scopes, so none are captured: a connection then carries no
    /// log scope (its scope, an execution context and an async-local map, some 120 bytes per connection).</summary>
    internal static void ConfigureLogging(ILoggingBuilder logging, LogLevel level)
    {
        logging.Services.Configure<LoggerFilterOptions>(filters => filters.CaptureScopes = false);
        logging
            .SetMinimumLevel(level)
            // The host's own start and stop messages are not the program's.
            .AddFilter("Microsoft.Hosting", LogLevel.Warning)
            // Nor its "Hosting failed to start" with the stack: the program prints why in one line.
            .AddFilter("Microsoft.Extensions.Hosting.Internal.Host", LogLevel.None)
            .AddSimpleConsole(console =>
            {
                console.SingleLine = true;
                console.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fff ";
                console.UseUtcTimestamp = true;
            });
    }
}
