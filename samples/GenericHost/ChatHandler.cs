using Microsoft.Extensions.Logging;
using WsServer.Connections;

namespace GenericHost;

/// <summary>One connection in the chat: the handler's state for it.</summary>
public sealed record ChatMember(string Name, WebSocketConnection Connection);

/// <summary>A chat: each text message goes to everyone connected. Its dependencies (the room, a logger)
/// come from the container; one instance serves every connection, so per-connection data lives in the state.</summary>
public sealed partial class ChatHandler(ChatRoom room, ILogger<ChatHandler> logger) : IWebSocketHandler<ChatMember>
{
    /// <summary>Joins the room under a name made from the connection's id.</summary>
    public ValueTask<ChatMember> InitAsync(WebSocketConnection connection, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var member = new ChatMember($"guest{connection.Id}", connection);
        room.Join(connection);
        room.Say($"{member.Name} joined ({room.Count} here)");
        LogJoined(logger, member.Name, connection.Info.RemoteEndPoint.ToString());
        return new(member);
    }

    /// <summary>Says a text message to the room; ignores binary ones.</summary>
    public ValueTask<HandleResult<ChatMember>> HandleAsync(WebSocketMessage message, ChatMember state, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (message.IsText) room.Say($"{state.Name}: {message.GetText()}");
        return new(HandleResult.NoReply(state));
    }

    /// <summary>Leaves the room.</summary>
    public ValueTask ClosedAsync(ConnectionClosed closed, ChatMember state, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(state);
        room.Leave(state.Connection);
        room.Say($"{state.Name} left");
        return ValueTask.CompletedTask;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "{Name} joined from {Remote}")]
    private static partial void LogJoined(ILogger logger, string name, string remote);
}
