using System.Collections.Concurrent;
using WsServer.Connections;
using WsServer.Handlers;

namespace WsServer.Host.BuiltInHandlers;

/// <summary>A chat room: every text message goes to every connection of the room, the sender
/// included. A member whose send queue is full misses the message rather than slowing the room.</summary>
internal sealed class ChatHandler : IWebSocketHandler
{
    private readonly ConcurrentDictionary<long, WebSocketConnection> _members = new();

    public ValueTask InitAsync(WebSocketConnection connection, CancellationToken cancellationToken)
    {
        _members[connection.Id] = connection;
        return ValueTask.CompletedTask;
    }

    public ValueTask<HandleResult> HandleAsync(WebSocketMessage message, WebSocketConnection connection,
        CancellationToken cancellationToken)
    {
        if (message.IsText)
        {
            // Encoded once; the payload is borrowed only until this call returns, and Text copies it.
            PreparedMessage prepared = PreparedMessage.Text(message.Payload.Span);
            foreach (WebSocketConnection member in _members.Values) member.TrySend(prepared);
        }
        return new(HandleResult.NoReply());
    }

    public ValueTask ClosedAsync(ConnectionClosed closed, WebSocketConnection connection, CancellationToken cancellationToken)
    {
        _members.TryRemove(connection.Id, out _);
        return ValueTask.CompletedTask;
    }
}
