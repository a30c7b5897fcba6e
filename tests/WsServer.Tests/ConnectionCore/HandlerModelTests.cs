using System.Net.WebSockets;
using System.Text;
using WsServer.Connections;
using WsServer.Tests.TestSupport;

namespace WsServer.Tests.ConnectionCore;

/// <summary>The handler model: stateless handlers and delegate routes, the mailbox, and results a
/// user's unit test can inspect.</summary>
public sealed class HandlerModelTests
{
    [Fact]
    public async Task ADelegateRouteEchoes()
    {
        await using TestServer server = await TestServer.StartAsync(o => o.Routes
            .Map("/echo", (message, _) => HandleResult.Reply(message))
            .Map("/upper", async (message, connection, ct) =>
            {
                await Task.Yield();
                return HandleResult.Reply($"{connection.Info.Path}:{message.GetText().ToUpperInvariant()}");
            }));
        using ClientWebSocket echo = await server.ConnectAsync("/echo");
        using ClientWebSocket upper = await server.ConnectAsync("/upper");

        await echo.SendBinaryAsync([1, 2, 3]);
        await upper.SendTextAsync("abc");

        (WebSocketMessageType type, byte[] data) = await echo.ReceiveMessageAsync().Bounded();
        Assert.Equal(WebSocketMessageType.Binary, type);
        Assert.Equal(new byte[] { 1, 2, 3 }, data);
        Assert.Equal("/upper:ABC", await upper.ReceiveTextAsync().Bounded());
    }

    [Fact]
    public async Task AStatelessHandlerGetsTheConnectionInEveryCallAndClosedOnce()
    {
        var handler = new StatelessRecorder();
        await using TestServer server = await TestServer.StartAsync(o => o.UseHandler(handler));
        using ClientWebSocket client = await server.ConnectAsync("/room");

        await client.SendTextAsync("hi");
        Assert.Equal("/room hi", await client.ReceiveTextAsync().Bounded());
        await client.CloseAsync(WebSocketCloseStatus.NormalClosure, null, Timeouts.Token());

        ConnectionClosed closed = await handler.Closed.Task.Bounded();
        Assert.Equal(CloseInitiator.Peer, closed.Initiator);
        Assert.Equal(1, handler.ClosedCalls);
    }

    [Fact]
    public async Task PostedItemsReachTheHandlerInOrderWithMessagesAndNeverOverlapAnyCall()
    {
        var handler = new MailboxHandler();
        await using TestServer server = await TestServer.StartAsync(handler);
        using ClientWebSocket client = await server.ConnectAsync();
        WebSocketConnection connection = await handler.Opened.Task.Bounded();

        Task posting = Task.Run(() =>
        {
            for (int i = 0; i < 200; i++) Assert.True(connection.Post($"p{i}"));
        });
        for (int i = 0; i < 200; i++) await client.SendTextAsync($"m{i}");
        await posting.Bounded();

        string[] seen = (await client.ReceiveTextAsync().Bounded()).Split(' ');
        Assert.Equal(400, seen.Length);
        Assert.Equal(Enumerable.Range(0, 200).Select(i => $"m{i}"), seen.Where(s => s[0] == 'm'));
        Assert.Equal(Enumerable.Range(0, 200).Select(i => $"p{i}"), seen.Where(s => s[0] == 'p'));
        Assert.Equal(1, handler.MostAtOnce);
    }

    [Fact]
    public async Task AnItemPostedWhileAReadsMessagesAreHandledGoesBeforeTheRestOfThem()
    {
        var handler = new PostingOnFirstMessage();
        await using TestServer server = await TestServer.StartAsync(handler);
        await using RawClient client = await RawClient.ConnectAsync(server.Port);

        // Three messages in one write, so one read: the session loop keeps the turn from one to the next,
        // unless an item waits for it.
        await client.SendAsync([.. ClientFrame.Text("a"), .. ClientFrame.Text("b"), .. ClientFrame.Text("c")]);

        ReceivedFrame? answer = await client.ReadFrameAsync().Bounded();
        Assert.Equal("a item b c", answer?.Text);
    }

    [Fact]
    public async Task PostAfterTheEndIsRefused()
    {
        var handler = new MailboxHandler();
        await using TestServer server = await TestServer.StartAsync(handler);
        using ClientWebSocket client = await server.ConnectAsync();
        WebSocketConnection connection = await handler.Opened.Task.Bounded();

        await client.CloseAsync(WebSocketCloseStatus.NormalClosure, null, Timeouts.Token());
        await connection.Completion.Bounded();

        Assert.False(connection.Post("late"));
    }

    [Fact]
    public void AResultCanBeInspectedInAUnitTest()
    {
        HandleResult<int> reply = HandleResult.Reply(3, "three");
        Assert.Equal((HandleAction.Reply, 3, "three", true), (reply.Action, reply.State, reply.Result.Text, reply.Result.IsText));

        HandleResult<string> ping = HandleResult.Ping("s", new byte[] { 9 });
        Assert.Equal((HandleAction.Ping, "s", (byte)9), (ping.Action, ping.State, ping.Result.Data.Span[0]));

        HandleResult close = HandleResult.Close((Protocol.Closing.CloseCode)4001, "bye");
        Assert.Equal((HandleAction.Close, (Protocol.Closing.CloseCode?)4001, "bye"), (close.Action, close.CloseCode, close.CloseReason));

        HandleResult<int> kept = HandleResult.NoReply().With(5);
        Assert.Equal((HandleAction.NoReply, 5), (kept.Action, kept.State));
    }

    private sealed class StatelessRecorder : IWebSocketHandler
    {
        public TaskCompletionSource<ConnectionClosed> Closed { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public int ClosedCalls;

        public ValueTask<HandleResult> HandleAsync(WebSocketMessage message, WebSocketConnection connection, CancellationToken ct) =>
            new(HandleResult.Reply($"{connection.Info.Path} {message.GetText()}"));

        public ValueTask ClosedAsync(ConnectionClosed closed, WebSocketConnection connection, CancellationToken ct)
        {
            Interlocked.Increment(ref ClosedCalls);
            Closed.TrySetResult(closed);
            return ValueTask.CompletedTask;
        }
    }

    /// <summary>At message "a", posts an item to its own connection and returns only once the item waits for
    /// the turn; at "c", answers with everything it saw.</summary>
    private sealed class PostingOnFirstMessage : IWebSocketHandler<List<string>>
    {
        private WebSocketConnection _connection = null!;

        public ValueTask<List<string>> InitAsync(WebSocketConnection connection, CancellationToken ct)
        {
            _connection = connection;
            return new(new List<string>());
        }

        public ValueTask<HandleResult<List<string>>> HandleAsync(WebSocketMessage message, List<string> seen, CancellationToken ct)
        {
            string text = message.GetText();
            seen.Add(text);
            if (text == "a")
            {
                Assert.True(_connection.Post("item"));
                Assert.True(SpinWait.SpinUntil(() => _connection.Calls.IsAwaited, Timeouts.Default), "The item never waited for the turn.");
            }
            return new(text == "c" ? HandleResult.Reply(seen, string.Join(' ', seen)) : HandleResult.NoReply(seen));
        }

        public ValueTask<HandleResult<List<string>>> HandleInfoAsync(object? item, List<string> seen, CancellationToken ct)
        {
            seen.Add((string)item!);
            return new(HandleResult.NoReply(seen));
        }
    }

    /// <summary>Keeps what it saw in a plain list (no lock: calls never overlap, which it checks), and
    /// yields inside every call so an overlap would have room to happen.</summary>
    private sealed class MailboxHandler : IWebSocketHandler<List<string>>
    {
        private int _inside;

        public TaskCompletionSource<WebSocketConnection> Opened { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public int MostAtOnce;

        public ValueTask<List<string>> InitAsync(WebSocketConnection connection, CancellationToken ct)
        {
            Opened.TrySetResult(connection);
            return new(new List<string>());
        }

        public async ValueTask<HandleResult<List<string>>> HandleAsync(WebSocketMessage message, List<string> seen, CancellationToken ct)
        {
            using (Enter())
            {
                await Task.Yield();
                return Note(seen, message.GetText());
            }
        }

        public async ValueTask<HandleResult<List<string>>> HandleInfoAsync(object? item, List<string> seen, CancellationToken ct)
        {
            using (Enter())
            {
                await Task.Yield();
                return Note(seen, (string)item!);
            }
        }

        // The 400th entry, whichever call brings it, answers with everything seen.
        private static HandleResult<List<string>> Note(List<string> seen, string entry)
        {
            seen.Add(entry);
            return seen.Count == 400 ? HandleResult.Reply(seen, string.Join(' ', seen)) : HandleResult.NoReply(seen);
        }

        private Exit Enter()
        {
            int now = Interlocked.Increment(ref _inside);
            InterlockedMax(ref MostAtOnce, now);
            return new Exit(this);
        }

        private static void InterlockedMax(ref int target, int value)
        {
            int seen;
            while ((seen = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, seen) != seen) { }
        }

        private readonly struct Exit(MailboxHandler handler) : IDisposable
        {
            public void Dispose() => Interlocked.Decrement(ref handler._inside);
        }
    }
}
