using WsServer.Connections;
using WsServer.Routing;

namespace Greeter;

/// <summary>
/// Refuses an upgrade without a <c>name</c> query parameter (403, <c>name required</c>); greets an
/// accepted client with <c>hello NAME from IP:PORT</c>; answers each text message <c>M</c> with
/// <c>NAME: M</c>. Run it with <c>wsserver --handler PATH/Greeter.dll:Greeter.GreeterHandler</c>.
/// </summary>
public sealed class GreeterHandler : IWebSocketHandler<string>, IUpgradeFilter
{
    private const string NameItem = "name";

    /// <summary>Accepts only a request that says who is connecting, and hands the name on to init.</summary>
    public ValueTask<UpgradeDecision> OnUpgradeAsync(UpgradeContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        string? name = context.GetQueryValue(NameItem);
        return new(string.IsNullOrEmpty(name)
            ? UpgradeDecision.Reject(403, "name required")
            : UpgradeDecision.Accept(items: [new(NameItem, name)]));
    }

    /// <summary>Greets the client by name, with the address it connected from.</summary>
    public async ValueTask<string> InitAsync(WebSocketConnection connection, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connection);
        string name = (string)connection.Info.Items[NameItem]!;
        await connection.SendAsync($"hello {name} from {connection.Info.RemoteEndPoint}", cancellationToken).ConfigureAwait(false);
        return name;
    }

    /// <summary>Answers a text message with the name in front; ignores binary messages.</summary>
    public ValueTask<HandleResult<string>> HandleAsync(WebSocketMessage message, string state, CancellationToken cancellationToken)
    {
        return new(message.IsText ? HandleResult.Reply(state, $"{state}: {message.GetText()}") : HandleResult.NoReply(state));
    }
}
