using WsServer.AspNetCore;
using WsServer.Connections;
using WsServer.Hosting;
using WsServer.PubSub;

namespace AspNetCoreSample;

/// <summary>A chat: every text message goes to everyone in the room, through the server's topic "chat" (so across
/// machines too, with a Redis backplane). A member is named by the signed-in user, else by <c>?name=</c>, else by
/// the connection's id. Its dependencies come from the application's container.</summary>
public sealed class ChatHandler(WebSocketServer server, TimeProvider clock) : IWebSocketHandler<string>
{
    private const string Room = "chat";

    /// <summary>Joins the room and says so.</summary>
    public ValueTask<string> InitAsync(WebSocketConnection connection, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connection);
        string name = connection.GetHttpContext()?.User.Identity?.Name ?? connection.Info.QueryValue("name") ?? $"guest{connection.Id}";
        connection.Subscribe(Room);
        Say($"{name} joined");
        return new(name);
    }

    /// <summary>Says a text message to the room; ignores binary ones.</summary>
    public ValueTask<HandleResult<string>> HandleAsync(WebSocketMessage message, string name, CancellationToken cancellationToken)
    {
        if (message.IsText) Say($"{name}: {message.GetText()}");
        return new(HandleResult.NoReply(name));
    }

    /// <summary>Says who left.</summary>
    public ValueTask ClosedAsync(ConnectionClosed closed, string name, CancellationToken cancellationToken)
    {
        Say($"{name} left");
        return ValueTask.CompletedTask;
    }

    private void Say(string text) => server.Publish(Room, PreparedMessage.Text($"{clock.GetUtcNow():HH:mm:ss} {text}"));
}
