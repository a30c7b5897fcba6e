using System.Globalization;
using WsServer.Connections;

namespace WsServer.Tests.TestHandlers;

/// <summary>On "burst N T": starts T threads that each send N numbered messages through the connection
/// reference while handle is still running, then replies "done" after they finish: every message must
/// arrive, each thread's in order, and "done" last.</summary>
public sealed class SendingHandler : IWebSocketHandler<WebSocketConnection>
{
    public ValueTask<WebSocketConnection> InitAsync(WebSocketConnection connection, CancellationToken cancellationToken) =>
        new(connection);

    public async ValueTask<HandleResult<WebSocketConnection>> HandleAsync(WebSocketMessage message, WebSocketConnection connection,
        CancellationToken cancellationToken)
    {
        string[] parts = message.GetText().Split(' ');
        int count = int.Parse(parts[1], CultureInfo.InvariantCulture);
        int threads = int.Parse(parts[2], CultureInfo.InvariantCulture);
        var senders = Enumerable.Range(0, threads).Select(t => Task.Run(async () =>
        {
            for (int i = 0; i < count; i++)
            {
                if (i % 2 == 0) await connection.SendAsync($"{t}:{i}", cancellationToken);
                else while (connection.TrySend($"{t}:{i}") == SendStatus.QueueFull) await Task.Yield();
            }
        }, cancellationToken));
        await Task.WhenAll(senders);
        return HandleResult.Reply(connection, "done");
    }
}
