using WsServer.Connections;

namespace WsServer.Host.Tests.TestHandlers;

/// <summary>Answers each message with the name of the thread its call runs on, and whether the
/// runtime was told to run socket completions inline.</summary>
public sealed class ThreadNameHandler : IWebSocketHandler
{
    public ValueTask<HandleResult> HandleAsync(WebSocketMessage message, WebSocketConnection connection, CancellationToken cancellationToken) =>
        new(HandleResult.Reply($"{Thread.CurrentThread.Name}|{Environment.GetEnvironmentVariable("DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS")}"));
}
