using System.Net;
using Microsoft.Extensions.Logging;
using WsServer.Connections;
using WsServer.Handlers;
using WsServer.Hosting;

namespace WsServer.LoadTest.Servers;

/// <summary>The <c>serve-wsserver</c> child: WsServer with an echo handler. A text message that starts
/// with <c>fanout:</c> is a command: the rest is broadcast to every connection as a binary message.</summary>
internal static class WsServerEcho
{
    public static async Task<int> RunAsync(int port)
    {
        using ILoggerFactory logging = LoggerFactory.Create(b => b
            .SetMinimumLevel(LogLevel.Warning)
            .AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace));
        var handler = new EchoHandler();
        var options = new ServerOptions
        {
            Address = IPAddress.Loopback,
            Port = port,
            Workers = 100_000,
            ListenBacklog = 4096,
        }.UseHandler(handler);
        await using var server = new WebSocketServer(options, logging);
        handler.Server = server;
        await server.StartAsync();
        await ControlChannel.ServeAsync(server.LocalEndPoints[0].Port);
        return 0;
    }

    private sealed class EchoHandler : IWebSocketHandler<int>
    {
        public WebSocketServer? Server { get; set; }

        public ValueTask<int> InitAsync(WebSocketConnection connection, CancellationToken ct) => new(0);

        public ValueTask<HandleResult<int>> HandleAsync(WebSocketMessage message, int state, CancellationToken ct)
        {
            if (message.IsText && message.Payload.Span.StartsWith(FanoutCommand.Prefix))
            {
                Server!.Broadcast(PreparedMessage.Binary(message.Payload.Span[FanoutCommand.Prefix.Length..]));
                return new(HandleResult.NoReply(state));
            }
            return new(HandleResult.Reply(state, message));
        }
    }
}
