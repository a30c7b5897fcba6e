using WsServer.Connections;
using WsServer.Hosting;
using WsServer.PubSub;

namespace WsServer.LoadTest.Servers;

/// <summary>The echo of the WsServer children, standalone and in ASP.NET Core: each message back as it came; a
/// text message that starts with <c>fanout:</c> is a command, the rest broadcast to every connection as binary.</summary>
internal sealed class EchoFanoutHandler : IWebSocketHandler<int>
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
