using System.Text;
using WsServer.Connections;
using WsServer.Handlers;

namespace WsServer.Host.BuiltInHandlers;

/// <summary>
/// The built-in rooms: `broadcast` relays each message unchanged (text stays text, binary stays binary)
/// to every other client of its route; `chat` sends each text message, as <c>NAME: TEXT</c>, to every
/// member, the sender included. A member's name is the <c>name</c> of its URL's query (<c>/chat?name=ada</c>),
/// else <c>guest-ID</c>, worked out once when it joins. A room is a topic named after the route's pattern,
/// so with <c>--redis</c> the same route of every process sharing the Redis is one room. The message is
/// encoded once for all subscribers; one that reads too slowly misses messages rather than delaying the rest.
/// </summary>
internal sealed class RoomHandler(string topic, bool isChat) : IWebSocketHandler<RoomHandler.Member>
{
    private const int MaxNameLength = 32;

    /// <summary>A member of the room: its connection and, in a chat, the UTF-8 <c>NAME: </c> its lines start with.</summary>
    internal sealed record Member(WebSocketConnection Connection, byte[] LinePrefix);

    public static RoomHandler Broadcast(string? pattern) => new($"broadcast:{pattern ?? "*"}", isChat: false);

    public static RoomHandler Chat(string? pattern) => new($"chat:{pattern ?? "*"}", isChat: true);

    /// <summary>Joins the room; with a backplane, once every process's messages to it reach this one.</summary>
    public async ValueTask<Member> InitAsync(WebSocketConnection connection, CancellationToken cancellationToken)
    {
        await connection.SubscribeAsync(topic, cancellationToken).ConfigureAwait(false);
        return new Member(connection, isChat ? Encoding.UTF8.GetBytes(NameOf(connection) + ": ") : []);
    }

    /// <summary>Publishes through the server, so with a backplane (<c>--redis</c>) every process's members
    /// get it too; never waits, for Redis or for a slow member.</summary>
    public ValueTask<HandleResult<Member>> HandleAsync(WebSocketMessage message, Member member,
        CancellationToken cancellationToken)
    {
        WebSocketConnection sender = member.Connection;
        if (!isChat)
        {
            sender.Publish(topic, message.IsText ? PreparedMessage.Text(message.Payload.Span) : PreparedMessage.Binary(message.Payload.Span));
        }
        else if (message.IsText)
        {
            PreparedMessage line = PreparedMessage.Text([.. member.LinePrefix, .. message.Payload.Span]);
            sender.Publish(topic, line);
            sender.TrySend(line);
        }
        return new(HandleResult.NoReply(member));
    }

    /// <summary>The query's <c>name</c>, without control characters and at most 32 characters; else <c>guest-ID</c>.</summary>
    internal static string NameOf(WebSocketConnection connection)
    {
        string given = connection.Info.QueryValue("name") ?? "";
        var name = new StringBuilder(MaxNameLength);
        foreach (char c in given.Trim())
        {
            if (name.Length == MaxNameLength) break;
            if (!char.IsControl(c) && !char.IsSurrogate(c)) name.Append(c);
        }
        return name.Length > 0 ? name.ToString() : $"guest-{connection.Id}";
    }
}
