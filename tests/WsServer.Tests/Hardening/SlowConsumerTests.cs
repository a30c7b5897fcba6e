using System.Net.WebSockets;
using WsServer.Connections;
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
    private static readonly byte[] Big = new byte[32 * 1024 * 1024];

    [Fact]
    public async Task UnderTheClosePolicyAFullQueueClosesWith1008AndWhatWasQueuedStillArrives()
    {
        var handler = new RecordingHandler();
        await using TestServer server = await StartAsync(handler, SlowConsumerPolicy.Close);
        await using RawClient client = await RawClient.ConnectAsync(server.Port);
        WebSocketConnection connection = await handler.FirstOpened.Task.Bounded();

        SendStatus refusal = Overfill(connection);

        Assert.Equal(SendStatus.Closed, refusal);
        Assert.False(connection.IsOpen);
        Assert.Equal(Big.Length, (await client.ReadFrameAsync().Bounded())!.Value.Payload.Length);
        Assert.Equal((ushort)1008, (await client.ReadFrameAsync().Bounded())!.Value.CloseCode);
    }

    [Fact]
    public async Task UnderTheDropPolicyAFullQueueRefusesAndTheDrainIsReported()
    {
        var handler = new DrainRecorder();
        await using TestServer server = await StartAsync(handler, SlowConsumerPolicy.Drop);
        await using RawClient client = await RawClient.ConnectAsync(server.Port);
        WebSocketConnection connection = await handler.Opened.Task.Bounded();

        SendStatus refusal = Overfill(connection);

        Assert.Equal(SendStatus.QueueFull, refusal);
        await Assert.ThrowsAsync<SendQueueFullException>(async () => await connection.SendAsync(Chunk));
        Assert.True(connection.IsOpen);
        Assert.False(handler.Drained.Task.IsCompleted);
        Assert.Equal(Big.Length, (await client.ReadFrameAsync().Bounded())!.Value.Payload.Length);
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

        SendStatus refusal = Overfill(connection);
        ValueTask waiting = connection.SendAsync(Chunk);

        Assert.Equal(SendStatus.QueueFull, refusal);
        Assert.False(waiting.IsCompleted);
        Assert.Equal(Big.Length, (await client.ReadFrameAsync().Bounded())!.Value.Payload.Length);
        await waiting.AsTask().Bounded();
        Assert.Equal(Chunk.Length, (await client.ReadFrameAsync().Bounded())!.Value.Payload.Length);
    }

    [Fact]
    public async Task APeerThatFloodsPingsAndNeverReadsIsNoLongerReadOnceItsPongsFillTheQueue()
    {
        var handler = new RecordingHandler();
        await using TestServer server = await StartAsync(handler, SlowConsumerPolicy.Wait);
        await using RawClient client = await RawClient.ConnectAsync(server.Port);
        WebSocketConnection connection = await handler.FirstOpened.Task.Bounded();
        byte[] pings = [.. Enumerable.Range(0, 1000).SelectMany(_ => ClientFrame.Build(9, [1, 2, 3, 4]))];

        // Up to 100 MB of pings; the server stops reading long before (its read loop then waits for room
        // in the send queue), and then so must the writer.
        long most = 0;
        for (int i = 0; i < 10_000; i++)
        {
            Task write = client.SendAsync(pings);
            Assert.True(await Timeouts.Eventually(() => write.IsCompleted || connection.Live.HasSpaceWaiter));
            most = Math.Max(most, connection.PendingSendBytes);
            if (!write.IsCompleted && connection.Live.HasSpaceWaiter) break; // the server no longer reads
        }

        // Pongs beyond the limit: at most what one read of pings answers (a pong is no longer than its ping).
        Assert.InRange(most, 0, Limit + WsServer.Transport.SocketReader.LargestRoom);
        Assert.True(connection.IsOpen);
    }

    /// <summary>Queues one message larger than the kernel's socket buffers can take (a queue under its
    /// limit takes a message of any size), so the queue stays over its limit until the peer reads; then
    /// tries one more.</summary>
    private static SendStatus Overfill(WebSocketConnection connection)
    {
        Assert.Equal(SendStatus.Queued, connection.TrySend(Big));
        return connection.TrySend(Chunk);
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
