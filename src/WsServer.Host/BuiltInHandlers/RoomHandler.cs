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
internal sealed class RoomHandler(string topic, TopicRelay relay, bool isChat) : IWebSocketHandler<RoomHandler.Member>
{
    private const int MaxNameLength = 32;

    /// <summary>A member of the room: its connection and, in a chat, the UTF-8 <c>NAME: </c> its lines start with.</summary>
    internal sealed record Member(WebSocketConnection Connection, byte[] LinePrefix);

    public static RoomHandler Broadcast(string? pattern, TopicRelay relay) => new($"broadcast:{pattern ?? "*"}", relay, isChat: false);

    public static RoomHandler Chat(string? pattern, TopicRelay relay) => new($"chat:{pattern ?? "*"}", relay, isChat: true);

    public ValueTask<Member> InitAsync(WebSocketConnection connection, CancellationToken cancellationToken)
    {
        connection.Subscribe(topic);
        return new(new Member(connection, isChat ? Encoding.UTF8.GetBytes(NameOf(connection) + ": ") : []));
    }

    public async ValueTask<HandleResult<Member>> HandleAsync(WebSocketMessage message, Member member,
        CancellationToken cancellationToken)
    {
        if (!isChat)
            await relay.PublishAsync(topic, message.IsText, message.Payload, member.Connection, includeSender: false).ConfigureAwait(false);
        else if (message.IsText)
            await relay.PublishAsync(topic, isText: true, (byte[])[.. member.LinePrefix, .. message.Payload.Span], member.Connection,
                includeSender: true).ConfigureAwait(false);
        return HandleResult.NoReply(member);
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
