using System.Globalization;

namespace WsServer.PubSub;

/// <summary>A connection in a topic's presence: the node that holds it (empty on a server without a
/// backplane), its id there, and the info the application gave when it joined.</summary>
public sealed record PresenceMember(string Node, long ConnectionId, string Info)
{
    /// <summary>The connection's address: <c>NODE/ID</c>, or <c>ID</c> on a server without a backplane.</summary>
    public string Address => Node.Length == 0
        ? ConnectionId.ToString(CultureInfo.InvariantCulture)
        : $"{Node}/{ConnectionId.ToString(CultureInfo.InvariantCulture)}";
}

/// <summary>A join or a leave in a topic's presence, posted to the mailbox of the topic's watchers
/// (<see cref="Connections.WebSocketConnection.WatchPresence"/>): their handler's <c>HandleInfoAsync</c> gets it.</summary>
public sealed record PresenceChange(string Topic, PresenceMember Member, bool Joined);

/// <summary>
/// Where topics' presence is kept across servers (WsServer.Redis keeps it in Redis): a backplane that
/// implements this interface is the server's presence store once attached. Without one, presence is this
/// server's own connections.
/// </summary>
public interface IPresenceStore
{
    /// <summary>This server's node id, the first half of its members' addresses.</summary>
    string NodeId { get; }

    /// <summary>A connection of this server joined <paramref name="topic"/>'s presence: record it, and tell
    /// the other servers (<see cref="Hosting.WebSocketServer.DeliverPresenceChange"/>). Must return at once.</summary>
    void Joined(string topic, PresenceMember member);

    /// <summary>A connection of this server left <paramref name="topic"/>'s presence. Must return at once.</summary>
    void Left(string topic, PresenceMember member);

    /// <summary>Every member of <paramref name="topic"/>'s presence, on every server that is alive.</summary>
    ValueTask<IReadOnlyList<PresenceMember>> ListAsync(string topic, CancellationToken cancellationToken);
}
