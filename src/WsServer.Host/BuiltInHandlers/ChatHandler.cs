using System.Text;
using WsServer.Connections;
using WsServer.PubSub;

namespace WsServer.Host.BuiltInHandlers;

/// <summary>
/// The built-in chat: each text message a member sends reaches every member, itself included, as a
/// <see cref="ChatFrames"/> JSON line with its position. The room keeps its last 50 messages: a member that
/// joins gets them; one that comes back with <c>?since=POSITION</c> (the last position it saw) gets what it
/// missed, or a <c>reset</c> when the room's history no longer reaches back that far. The room's presence
/// lists the members by name, and each member hears joins and leaves. A member's name is the <c>name</c> of
/// its URL's query (<c>/chat?name=ada</c>), else <c>guest-ID</c>. The room is a topic named after the route's
/// pattern (<c>chat:/chat</c>, <c>chat:*</c> for the fallback), so with <c>--redis</c> the same route of every
/// process is one room, with one history and one presence.
/// </summary>
internal sealed class ChatHandler(string? pattern, int historyLength = ChatHandler.DefaultHistoryLength)
    : IWebSocketHandler<ChatHandler.Member>
{
    /// <summary>How many messages a room keeps for those who join or come back, unless told otherwise.</summary>
    public const int DefaultHistoryLength = 50;

    private const int MaxNameLength = 32;

    /// <summary>A member: its connection and its name.</summary>
    internal sealed record Member(WebSocketConnection Connection, string Name);

    /// <summary>The room's topic.</summary>
    public string Topic { get; } = $"chat:{pattern ?? "*"}";

    /// <summary>The room's history: its last messages, each framed with its position; null when it keeps none.</summary>
    public TopicHistoryOptions? History { get; } =
        historyLength > 0 ? new TopicHistoryOptions { MaxMessages = historyLength, Format = ChatFrames.Message } : null;

    public async ValueTask<Member> InitAsync(WebSocketConnection connection, CancellationToken cancellationToken)
    {
        var member = new Member(connection, NameOf(connection));
        connection.WatchPresence(Topic);
        if (History is null)
        {
            await connection.SubscribeAsync(Topic, cancellationToken).ConfigureAwait(false);
        }
        else if (TopicPosition.TryParse(connection.Info.QueryValue("since"), out TopicPosition since))
        {
            TopicRecovery recovery = await connection.SubscribeAsync(Topic, since, cancellationToken).ConfigureAwait(false);
            if (!recovery.Recovered) connection.TrySend(ChatFrames.Reset);
        }
        else
        {
            await connection.SubscribeAsync(Topic, last: historyLength, cancellationToken).ConfigureAwait(false);
        }
        connection.JoinPresence(Topic, member.Name);
        await SendMembersAsync(connection, cancellationToken).ConfigureAwait(false);
        return member;
    }

    /// <summary>A text message is said to the room; anything else is ignored.</summary>
    public ValueTask<HandleResult<Member>> HandleAsync(WebSocketMessage message, Member member, CancellationToken cancellationToken)
    {
        if (message.IsText) member.Connection.Publish(Topic, ChatFrames.Said(member.Name, message.Payload.Span), includeSelf: true);
        return new(HandleResult.NoReply(member));
    }

    /// <summary>A join or leave in the room, told to this member.</summary>
    public ValueTask<HandleResult<Member>> HandleInfoAsync(object? item, Member member, CancellationToken cancellationToken)
    {
        if (item is PresenceChange change) member.Connection.TrySend(ChatFrames.Presence(change));
        return new(HandleResult.NoReply(member));
    }

    private async Task SendMembersAsync(WebSocketConnection connection, CancellationToken cancellationToken)
    {
        try
        {
            IReadOnlyList<PresenceMember> members = await connection.GetPresenceAsync(Topic, cancellationToken).ConfigureAwait(false);
            connection.TrySend(ChatFrames.Members(members.Select(m => m.Info)));
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The list lives in Redis, which may be away: the member is in the room all the same, and
            // hears joins and leaves; the page lists those it hears of.
        }
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
