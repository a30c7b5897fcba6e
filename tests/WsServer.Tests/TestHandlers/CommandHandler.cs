using System.Text;
using WsServer.Connections;
using WsServer.Protocol.Closing;

namespace WsServer.Tests.TestHandlers;

/// <summary>Answers each text command with the seed result of the same name, so one test per result
/// can drive it: "noreply", "reply", "replybin", "ping", "pingdata", "pong", "pongdata", "close",
/// "closestatus", "count" (replies with the number of messages seen: the state).</summary>
public sealed class CommandHandler : IWebSocketHandler<int>
{
    public ValueTask<int> InitAsync(WebSocketConnection connection, CancellationToken cancellationToken) => new(0);

    public ValueTask<HandleResult<int>> HandleAsync(WebSocketMessage message, int seen, CancellationToken cancellationToken)
    {
        int next = seen + 1;
        return new(message.GetText() switch
        {
            "noreply" => HandleResult.NoReply(next),
            "reply" => HandleResult.Reply(next, "replied"),
            "replybin" => HandleResult.Reply(next, new byte[] { 1, 2, 3 }),
            "ping" => HandleResult.Ping(next),
            "pingdata" => HandleResult.Ping(next, Encoding.UTF8.GetBytes("p-data")),
            "pong" => HandleResult.Pong(next),
            "pongdata" => HandleResult.Pong(next, Encoding.UTF8.GetBytes("q-data")),
            "close" => HandleResult.Close(next, code: null),
            "closestatus" => HandleResult.Close(next, (CloseCode)4001, "bye"),
            "count" => HandleResult.Reply(next, next.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            string other => HandleResult.Reply(next, "unknown: " + other),
        });
    }
}
