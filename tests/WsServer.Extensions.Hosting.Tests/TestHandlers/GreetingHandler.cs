using WsServer.Connections;

namespace WsServer.Extensions.Hosting.Tests.TestHandlers;

/// <summary>A service the handlers take by constructor.</summary>
public sealed class Greeting(string word)
{
    public string Word { get; } = word;
}

/// <summary>Answers each text message M with "WORD M", WORD from its <see cref="Greeting"/>.</summary>
public sealed class GreetingHandler(Greeting greeting) : IWebSocketHandler
{
    public ValueTask<HandleResult> HandleAsync(WebSocketMessage message, WebSocketConnection connection, CancellationToken cancellationToken) =>
        new(HandleResult.Reply($"{greeting.Word} {message.GetText()}"));
}

/// <summary>Keeps a count per connection: answers the Nth message with "WORD N".</summary>
public sealed class CountingHandler(Greeting greeting) : IWebSocketHandler<int>
{
    public ValueTask<int> InitAsync(WebSocketConnection connection, CancellationToken cancellationToken) => new(0);

    public ValueTask<HandleResult<int>> HandleAsync(WebSocketMessage message, int state, CancellationToken cancellationToken) =>
        new(HandleResult.Reply(state + 1, $"{greeting.Word} {state + 1}"));
}

/// <summary>Not a handler: implements neither handler interface.</summary>
public sealed class NotAHandler;
