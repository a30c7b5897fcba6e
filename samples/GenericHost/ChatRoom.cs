using System.Collections.Concurrent;
using WsServer.Connections;
using WsServer.PubSub;

namespace GenericHost;

/// <summary>Who is in the chat: a singleton service that <see cref="ChatHandler"/> takes by constructor.</summary>
public sealed class ChatRoom(TimeProvider clock)
{
    private readonly ConcurrentDictionary<long, WebSocketConnection> _members = new();

    /// <summary>How many are in the room.</summary>
    public int Count => _members.Count;

    /// <summary>Adds <paramref name="connection"/> to the room.</summary>
    public void Join(WebSocketConnection connection) => _members[connection.Id] = connection;

    /// <summary>Removes <paramref name="connection"/> from the room.</summary>
    public void Leave(WebSocketConnection connection) => _members.TryRemove(connection.Id, out _);

    /// <summary>Sends <paramref name="text"/>, stamped with the time, to everyone in the room; a member
    /// whose send queue is full misses it.</summary>
    public void Say(string text)
    {
        var message = PreparedMessage.Text($"{clock.GetUtcNow():HH:mm:ss} {text}");
        foreach (WebSocketConnection member in _members.Values) member.TrySend(message);
    }
}
