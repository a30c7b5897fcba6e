using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using WsServer.Connections;
using WsServer.Hosting;
using WsServer.PubSub;
using WsServer.Routing;

namespace WsServer.LoadTest.Servers;

/// <summary>The <c>serve-wsserver</c> child: WsServer with an echo handler. A text message that starts
/// with <c>fanout:</c> is a command: the rest is broadcast to every connection as a binary message.
/// Two more routes serve the flood scenario: <see cref="FloodRoutes.Slow"/> takes about 1 ms per message
/// and replies nothing; <see cref="FloodRoutes.Firehose"/> sends 16 KiB messages from the moment the
/// connection opens until a send throws. Every server setting is the default (send queue limit 1 MiB,
/// slow consumers wait).</summary>
internal static class WsServerEcho
{
    /// <summary>"0" serves on .NET's socket engine instead of WsServer's epoll loops (<c>--wsserver-transport</c>).</summary>
    public const string EpollVariable = "WSSERVER_LOADTEST_EPOLL";

    public static async Task<int> RunAsync(int port)
    {
        // As the wsserver program: console lines print no scopes, so none are captured.
        using ILoggerFactory logging = LoggerFactory.Create(b =>
        {
            b.Services.Configure<LoggerFilterOptions>(f => f.CaptureScopes = false);
            b.SetMinimumLevel(LogLevel.Warning).AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
        });
        var handler = new EchoFanoutHandler();
        var options = new ServerOptions
        {
            Address = IPAddress.Loopback,
            Port = port,
            Workers = 100_000,
            ListenBacklog = 4096,
            // As `wsserver` runs its built-in handlers: on the loop's thread when the tool asks for inline I/O.
            InlineIo = Environment.GetEnvironmentVariable(Client.ClientRuntime.InlineCompletionsVariable) == "1",
            EpollTransport = Environment.GetEnvironmentVariable(EpollVariable) != "0",
        }.UseHandler(handler);
        options.Routes.Map(FloodRoutes.Slow, async (message, connection, ct) =>
        {
            await Task.Delay(FloodRoutes.SlowDelay, ct);
            FloodRoutes.SlowMessageDone();
            return HandleResult.NoReply();
        });
        options.Routes.Map(FloodRoutes.Firehose, new FirehoseHandler());
        // The stream scenario: each message echoed as it arrives, never assembled, whatever its size.
        options.Routes.Map(FloodRoutes.StreamEcho, async (message, connection, ct) =>
        {
            await connection.SendAsync(message.Body, message.Type, ct);
            return HandleResult.NoReply();
        }, new WebSocketRouteOptions { StreamMessages = true, MaxMessageSize = long.MaxValue });
        await using var server = new WebSocketServer(options, logging);
        handler.Server = server;
        await server.StartAsync();
        await ControlChannel.ServeAsync(server.LocalEndPoints[0].Port);
        return 0;
    }

    /// <summary>Starts a loop of awaited sends when the connection opens; the loop ends when a send throws
    /// (the connection closed). Nothing is read from the peer but the protocol's own frames.</summary>
    internal sealed class FirehoseHandler : IWebSocketHandler
    {
        public ValueTask InitAsync(WebSocketConnection connection, CancellationToken cancellationToken)
        {
            _ = Task.Run(() => SendForeverAsync(connection), CancellationToken.None);
            return ValueTask.CompletedTask;
        }

        public ValueTask<HandleResult> HandleAsync(WebSocketMessage message, WebSocketConnection connection,
            CancellationToken cancellationToken) => new(HandleResult.NoReply());

        private static async Task SendForeverAsync(WebSocketConnection connection)
        {
            try
            {
                while (true)
                {
                    await connection.SendAsync(FloodRoutes.FirehosePayload);
                    FloodRoutes.FirehoseSent();
                }
            }
            catch (Exception ex) when (ex is ConnectionClosedException or SendQueueFullException
                or OperationCanceledException or ObjectDisposedException or InvalidOperationException)
            {
                // The connection is gone: the loop ends.
            }
        }
    }
}
