using System.Text;
using WsServer.Connections;
using WsServer.Handlers;

namespace WsServer.Host.BuiltInHandlers;

/// <summary>
/// The built-in rooms: `broadcast` relays each message unchanged (text stays text, binary stays binary)
/// to every other client of its route; `chat` sends each text message, as <c>NAME: TEXT</c>, to every
/// member, the sender included. A member's name is the <c>name</c> of its URL's query (<c>/chat?name=ada</c>),
/// else <c>guest-ID</c>. A room is a topic named after the route's pattern, so with <c>--redis</c> the
/// same route of every process sharing the Redis is one room. The message is encoded once for all
/// subscribers; one that reads too slowly misses messages rather than delaying the rest.
/// </summary>
internal sealed class RoomHandler(string topic, TopicRelay relay, bool isChat) : IWebSocketHandler
{
    private const int MaxNameLength = 32;

    public static RoomHandler Broadcast(string? pattern, TopicRelay relay) => new($"broadcast:{pattern ?? "*"}", relay, isChat: false);

    public static RoomHandler Chat(string? pattern, TopicRelay relay) => new($"chat:{pattern ?? "*"}", relay, isChat: true);

    public ValueTask InitAsync(WebSocketConnection connection, CancellationToken cancellationToken)
    {
        connection.Subscribe(topic);
        return ValueTask.CompletedTask;
    }

    public async ValueTask<HandleResult> HandleAsync(WebSocketMessage message, WebSocketConnection connection,
        CancellationToken cancellationToken)
    {
        if (!isChat)
            await relay.PublishAsync(topic, message.IsText, message.Payload, connection, includeSender: false).ConfigureAwait(false);
        else if (message.IsText)
            await relay.PublishAsync(topic, isText: true, Said(connection, message.Payload.Span), connection, includeSender: true).ConfigureAwait(false);
        return HandleResult.NoReply();
    }

    /// <summary>The chat line: <c>NAME: TEXT</c>, as UTF-8.</summary>
    private static byte[] Said(WebSocketConnection connection, ReadOnlySpan<byte> text)
    {
        byte[] name = Encoding.UTF8.GetBytes(NameOf(connection) + ": ");
        return [.. name, .. text];
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
