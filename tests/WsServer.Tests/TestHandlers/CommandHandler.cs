using System.Text;
using WsServer.Connections;
using WsServer.Handlers;
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
            "reply" => HandleResult.Reply("replied", next),
            "replybin" => HandleResult.Reply(new byte[] { 1, 2, 3 }, next),
            "ping" => HandleResult.Ping(next),
            "pingdata" => HandleResult.Ping(next, Encoding.UTF8.GetBytes("p-data")),
            "pong" => HandleResult.Pong(next),
            "pongdata" => HandleResult.Pong(next, Encoding.UTF8.GetBytes("q-data")),
            "close" => HandleResult.Close(next),
            "closestatus" => HandleResult.Close(next, (CloseCode)4001, "bye"),
            "count" => HandleResult.Reply(next.ToString(System.Globalization.CultureInfo.InvariantCulture), next),
            string other => HandleResult.Reply("unknown: " + other, next),
        });
    }
}
