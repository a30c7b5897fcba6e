using System.Globalization;
using WsServer.Connections;

namespace WsServer.Host.Tests.TestHandlers;

/// <summary>A handler the program loads from this assembly by <c>PATH.dll:Namespace.TypeName</c>:
/// answers each text message in upper case, numbered by its per-connection count.</summary>
public sealed class UppercaseHandler : IWebSocketHandler<int>
{
    public ValueTask<int> InitAsync(WebSocketConnection connection, CancellationToken cancellationToken) => new(0);

    public ValueTask<HandleResult<int>> HandleAsync(WebSocketMessage message, int count, CancellationToken cancellationToken) =>
        new(HandleResult.Reply(count + 1, $"{count + 1}:{message.GetText().ToUpper(CultureInfo.InvariantCulture)}"));
}
