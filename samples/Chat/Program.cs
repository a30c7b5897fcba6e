using System.Collections.Concurrent;
using System.Net;
using System.Runtime.InteropServices;
using WsServer.Connections;
using WsServer.Hosting;
using WsServer.Protocol.Closing;
using WsServer.PubSub;

// A minimal chat room on /chat, in one file: members are #numbers, text only, no page and no history (the
// wsserver program's built-in `chat`, with names, a page and history, is `wsserver --handler chat`).
// Try it with two terminals: /usr/bin/python3 -m websockets ws://127.0.0.1:8080/chat
var options = new ServerOptions { Address = IPAddress.Loopback, Port = args.Length > 0 ? int.Parse(args[0]) : 8080 };
options.Routes.Map("/chat", new Room());

await using var server = new WebSocketServer(options);
await server.StartAsync();
Console.WriteLine($"chat on ws://{server.LocalEndPoints[0]}/chat");

// Ctrl+C or SIGTERM (docker stop, systemd) stops gracefully: every member is closed with 1001 (going away),
// where the runtime's default would kill the process and leave them with 1006.
using var stopping = new CancellationTokenSource();
Action<PosixSignalContext> stop = signal =>
{
    signal.Cancel = true;
    stopping.Cancel();
};
using (PosixSignalRegistration.Create(PosixSignal.SIGINT, stop))
using (PosixSignalRegistration.Create(PosixSignal.SIGTERM, stop))
{
    await Task.Delay(Timeout.Infinite, stopping.Token).ContinueWith(_ => { }, TaskScheduler.Default);
}
await server.StopAsync();

/// <summary>Each text message goes to every member, encoded once; a member whose send queue is full
/// misses it rather than slowing the room. Members are told who joined through their mailbox.</summary>
internal sealed class Room : IWebSocketHandler
{
    private readonly ConcurrentDictionary<long, WebSocketConnection> _members = new();

    public ValueTask InitAsync(WebSocketConnection connection, CancellationToken ct)
    {
        foreach (WebSocketConnection member in _members.Values) member.Post($"#{connection.Id} joined");
        _members[connection.Id] = connection;
        return ValueTask.CompletedTask;
    }

    public ValueTask<HandleResult> HandleAsync(WebSocketMessage message, WebSocketConnection connection, CancellationToken ct)
    {
        if (!message.IsText) return new(HandleResult.Close(CloseCode.UnsupportedData, "text only"));
        PreparedMessage said = PreparedMessage.Text($"#{connection.Id}: {message.GetText()}");
        foreach (WebSocketConnection member in _members.Values) member.TrySend(said);
        return new(HandleResult.NoReply());
    }

    // Posted items arrive here in the member's own turn: a greeting needs no lock.
    public ValueTask<HandleResult> HandleInfoAsync(object? item, WebSocketConnection connection, CancellationToken ct) =>
        new(item is string notice ? HandleResult.Reply(notice) : HandleResult.NoReply());

    public ValueTask ClosedAsync(ConnectionClosed closed, WebSocketConnection connection, CancellationToken ct)
    {
        _members.TryRemove(connection.Id, out _);
        return ValueTask.CompletedTask;
    }
}
