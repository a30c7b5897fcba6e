using System.Net.WebSockets;
using WsServer.Connections;
using WsServer.Handlers;
using WsServer.Hosting;
using WsServer.Tests.TestHandlers;
using WsServer.Tests.TestSupport;

namespace WsServer.Tests.Hardening;

/// <summary>A peer that reads slower than it is sent to meets its connection's policy, and cannot grow
/// the server's memory beyond the send queue's limit.</summary>
public sealed class SlowConsumerTests
{
    private const int Limit = 64 * 1024;
    private static readonly byte[] Chunk = new byte[16 * 1024];

    [Fact]
    public async Task UnderTheClosePolicyAFullQueueClosesWith1008AndWhatWasQueuedStillArrives()
    {
        var handler = new RecordingHandler();
        await using TestServer server = await StartAsync(handler, SlowConsumerPolicy.Close);
        await using RawClient client = await RawClient.ConnectAsync(server.Port);
        WebSocketConnection connection = await handler.FirstOpened.Task.Bounded();

        int queued = FillUntilRefused(connection, out SendStatus refusal);

        Assert.Equal(SendStatus.Closed, refusal);
        Assert.False(connection.IsOpen);
        for (int i = 0; i < queued; i++) Assert.Equal(Chunk.Length, (await client.ReadFrameAsync().Bounded())!.Value.Payload.Length);
        Assert.Equal((ushort)1008, (await client.ReadFrameAsync().Bounded())!.Value.CloseCode);
    }

    [Fact]
    public async Task UnderTheDropPolicyAFullQueueRefusesAndTheDrainIsReported()
    {
        var handler = new DrainRecorder();
        await using TestServer server = await StartAsync(handler, SlowConsumerPolicy.Drop);
        await using RawClient client = await RawClient.ConnectAsync(server.Port);
        WebSocketConnection connection = await handler.Opened.Task.Bounded();

        int queued = FillUntilRefused(connection, out SendStatus refusal);
        // SendAsync does not wait either: once the queue is full it throws (the pump may have made room
        // for a few more first).
        for (int i = 0; i < 1000; i++)
        {
            try
            {
                await connection.SendAsync(Chunk);
                queued++;
            }
            catch (SendQueueFullException)
            {
                break;
            }
        }

        Assert.Equal(SendStatus.QueueFull, refusal);
        Assert.True(connection.IsOpen);
        for (int i = 0; i < queued; i++) await client.ReadFrameAsync().Bounded();
        await handler.Drained.Task.Bounded();
        Assert.Equal(SendStatus.Queued, connection.TrySend(Chunk));
    }

    [Fact]
    public async Task UnderTheWaitPolicySendAsyncWaitsUntilThePeerReads()
    {
        var handler = new RecordingHandler();
        await using TestServer server = await StartAsync(handler, SlowConsumerPolicy.Wait);
        await using RawClient client = await RawClient.ConnectAsync(server.Port);
        WebSocketConnection connection = await handler.FirstOpened.Task.Bounded();

        int queued = FillUntilRefused(connection, out SendStatus refusal);
        ValueTask waiting = connection.SendAsync(Chunk);

        Assert.Equal(SendStatus.QueueFull, refusal);
        Assert.False(waiting.IsCompleted);
        for (int i = 0; i < queued; i++) await client.ReadFrameAsync().Bounded();
        await waiting.AsTask().Bounded();
    }

    [Fact]
    public async Task APeerThatFloodsPingsAndNeverReadsIsNoLongerReadOnceItsPongsFillTheQueue()
    {
        var handler = new RecordingHandler();
        await using TestServer server = await StartAsync(handler, SlowConsumerPolicy.Wait);
        await using RawClient client = await RawClient.ConnectAsync(server.Port);
        WebSocketConnection connection = await handler.FirstOpened.Task.Bounded();
        byte[] pings = [.. Enumerable.Range(0, 1000).SelectMany(_ => ClientFrame.Build(9, [1, 2, 3, 4]))];

        // Up to 100 MB of pings; the server stops reading long before, and then so must the writer.
        long most = 0;
        for (int i = 0; i < 10_000; i++)
        {
            Task write = client.SendAsync(pings);
            if (await Task.WhenAny(write, Task.Delay(2000)) != write) break; // the server no longer reads
            most = Math.Max(most, connection.PendingSendBytes);
        }
        most = Math.Max(most, connection.PendingSendBytes);

        // Pongs beyond the limit: at most what one read of pings answers.
        Assert.InRange(most, 0, Limit + 16 * 1024);
        Assert.True(connection.IsOpen);
    }

    private static int FillUntilRefused(WebSocketConnection connection, out SendStatus refusal)
    {
        // The kernel's socket buffers take some first; the send queue then fills to its limit.
        for (int queued = 0; queued < 100_000; queued++)
        {
            refusal = connection.TrySend(Chunk);
            if (refusal != SendStatus.Queued) return queued;
        }
        throw new InvalidOperationException("The send queue never filled.");
    }

    private static Task<TestServer> StartAsync<TState>(IWebSocketHandler<TState> handler, SlowConsumerPolicy policy) =>
        TestServer.StartAsync(handler, o =>
        {
            o.SendQueueLimit = Limit;
            o.SlowConsumer = policy;
        });

    private sealed class DrainRecorder : IWebSocketHandler<int>
    {
        public TaskCompletionSource<WebSocketConnection> Opened { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource Drained { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public ValueTask<int> InitAsync(WebSocketConnection connection, CancellationToken ct)
        {
            Opened.TrySetResult(connection);
            return new(0);
        }

        public ValueTask<HandleResult<int>> HandleAsync(WebSocketMessage message, int state, CancellationToken ct) =>
            new(HandleResult.NoReply(state));

        public ValueTask<HandleResult<int>> HandleInfoAsync(object? item, int state, CancellationToken ct)
        {
            if (item is SendQueueDrained) Drained.TrySetResult();
            return new(HandleResult.NoReply(state));
        }
    }
}
