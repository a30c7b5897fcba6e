using System.Net.WebSockets;
using WsServer.Connections;
using WsServer.Diagnostics;
using WsServer.Protocol.Messages;
using WsServer.Protocol.Session;
using WsServer.PubSub;
using WsServer.Tests.TestSupport;
using WsServer.Transport;

namespace WsServer.Tests.ConnectionCore;

/// <summary>While the session loop acts on a read, what its handler's call sends to its own connection from the
/// loop's thread waits for the loop's flush and goes out with the reply, in one write, on the loop's thread; every
/// other send starts its own write on the thread pool.</summary>
public sealed class LoopCallTests
{
    [Fact]
    public void OwnSendsInTheLoopsCallGoOutAtItsFlushInOneWriteOnItsThread()
    {
        using var metrics = new ServerInstruments(null, () => 0);
        var live = new LiveSession(ProtocolOptions.Default, 1 << 20, SlowConsumerPolicy.Wait, metrics);
        var writer = new ThreadRecordingWriter();
        live.StartWriting(writer);

        LiveSession? outer = live.EnterLoop();
        Assert.Equal(SendStatus.Queued, live.Send(MessageKind.Binary, [1, 2, 3]));
        Assert.Equal(SendStatus.Queued, live.SendPrepared(PreparedMessage.Binary([4, 5])));
        Assert.Equal(SendStatus.Queued, live.SendControl(ping: true, [6]));
        LiveSession.LeaveLoop(outer);
        Assert.Equal(SendStatus.Queued, live.Send(MessageKind.Binary, [7], defer: true)); // the reply
        Assert.Empty(writer.Writes);
        live.Flush();

        (int thread, int bytes) write = Assert.Single(writer.Writes);
        Assert.Equal(Environment.CurrentManagedThreadId, write.thread);
        Assert.Equal(5 + 4 + 3 + 3, write.bytes); // four frames, a 2-byte header each
    }

    [Fact]
    public async Task SendsFromAnotherThreadOrOutsideTheCallStartTheirOwnWrite()
    {
        using var metrics = new ServerInstruments(null, () => 0);
        var live = new LiveSession(ProtocolOptions.Default, 1 << 20, SlowConsumerPolicy.Wait, metrics);
        var other = new LiveSession(ProtocolOptions.Default, 1 << 20, SlowConsumerPolicy.Wait, metrics);
        var writer = new ThreadRecordingWriter();
        var otherWriter = new ThreadRecordingWriter();
        live.StartWriting(writer);
        other.StartWriting(otherWriter);

        LiveSession? outer = live.EnterLoop();
        var elsewhere = new Thread(() => live.Send(MessageKind.Binary, [1])); // another thread, during the call
        elsewhere.Start();
        elsewhere.Join();
        Assert.Equal(SendStatus.Queued, other.Send(MessageKind.Binary, [2])); // another connection
        LiveSession.LeaveLoop(outer);
        live.Send(MessageKind.Binary, [3]); // after the call

        // Nothing flushes here: each send is written only if it started its own write.
        Assert.True(await Timeouts.Eventually(() => writer.Bytes == 6 && otherWriter.Bytes == 3), "each send should be written");
    }

    [Fact]
    public async Task AWaitForRoomInTheLoopsCallWritesWhatTheCallDeferred()
    {
        using var metrics = new ServerInstruments(null, () => 0);
        var live = new LiveSession(ProtocolOptions.Default, 16, SlowConsumerPolicy.Wait, metrics);
        var writer = new ThreadRecordingWriter();
        live.StartWriting(writer);

        LiveSession? outer = live.EnterLoop();
        Assert.Equal(SendStatus.Queued, live.Send(MessageKind.Binary, new byte[100]));
        Assert.True(live.IsOverLimit);
        // Deferred until the call returns, the bytes would never be written while the call waits for room.
        Task space = live.WaitForSpaceAsync(CancellationToken.None);
        LiveSession.LeaveLoop(outer);

        await space.Bounded();
        Assert.Equal(102, writer.Bytes);
    }

    [Fact]
    public async Task TheLoopDefersTheSendsOfItsHandlersCallOnItsThreadOnly()
    {
        var handler = new SendingAroundAnAwait();
        await using TestServer server = await TestServer.StartAsync(o => o.UseHandler(handler));
        using ClientWebSocket client = await server.ConnectAsync();

        await client.SendTextAsync("go");

        Assert.Equal("before", await client.ReceiveTextAsync().Bounded());
        Assert.Equal("after", await client.ReceiveTextAsync().Bounded());
        Assert.Equal("reply", await client.ReceiveTextAsync().Bounded());
        Assert.Equal((true, false), await handler.Deferred.Task.Bounded());
    }

    /// <summary>Sends to its own connection before and after an await, then replies; tells whether the sends
    /// were deferred to the loop's flush at each point.</summary>
    private sealed class SendingAroundAnAwait : IWebSocketHandler
    {
        public TaskCompletionSource<(bool Before, bool After)> Deferred { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public async ValueTask<HandleResult> HandleAsync(WebSocketMessage message, WebSocketConnection connection, CancellationToken ct)
        {
            bool before = connection.DefersSendsOnThisThread;
            connection.TrySend("before");
            await Task.Yield();
            bool after = connection.DefersSendsOnThisThread;
            connection.TrySend("after");
            Deferred.TrySetResult((before, after));
            return HandleResult.Reply("reply");
        }
    }

    /// <summary>Each write's thread and size; writes complete at once.</summary>
    private sealed class ThreadRecordingWriter : IBatchWriter
    {
        private readonly List<(int, int)> _writes = [];
        public long Bytes;

        public IReadOnlyList<(int thread, int bytes)> Writes
        {
            get { lock (_writes) return [.. _writes]; }
        }

        public ValueTask WriteAsync(ReadOnlyMemory<byte> bytes) => Record(bytes.Length);

        public ValueTask WriteAsync(List<ArraySegment<byte>> batch, int total) => Record(total);

        public void Abort() => throw new InvalidOperationException("No write fails here.");

        private ValueTask Record(int bytes)
        {
            lock (_writes) _writes.Add((Environment.CurrentManagedThreadId, bytes));
            Interlocked.Add(ref Bytes, bytes);
            return ValueTask.CompletedTask;
        }
    }
}
