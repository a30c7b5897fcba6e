using System.Collections.Concurrent;
using WsServer.Connections;
using WsServer.Handlers;

namespace WsServer.Host.BuiltInHandlers;

/// <summary>A chat room: every text message goes to every connection of the room, the sender
/// included. A member whose send queue is full misses the message rather than slowing the room.</summary>
internal sealed class ChatHandler : IWebSocketHandler<WebSocketConnection>
{
    private readonly ConcurrentDictionary<long, WebSocketConnection> _members = new();

    public ValueTask<WebSocketConnection> InitAsync(WebSocketConnection connection, CancellationToken cancellationToken)
    {
        _members[connection.Id] = connection;
        return ValueTask.FromResult(connection);
    }

    public ValueTask<HandleResult<WebSocketConnection>> HandleAsync(WebSocketMessage message,
        WebSocketConnection state, CancellationToken cancellationToken)
    {
        if (message.IsText)
        {
            // Encoded once; the payload is borrowed only until this call returns, and Text copies it.
            PreparedMessage prepared = PreparedMessage.Text(message.Payload.Span);
            foreach (WebSocketConnection member in _members.Values) member.TrySend(prepared);
        }
        return ValueTask.FromResult(HandleResult.NoReply(state));
    }

    public ValueTask ClosedAsync(ConnectionClosed closed, WebSocketConnection state)
    {
        _members.TryRemove(state.Id, out _);
        return ValueTask.CompletedTask;
    }
}
