using WsServer.Connections;
using WsServer.Diagnostics;
using WsServer.Protocol.Messages;
using WsServer.Protocol.Session;
using WsServer.Tests.TestSupport;
using WsServer.Transport;
using WsServer.Transport.Epoll;

namespace WsServer.Tests.Transport;

/// <summary>On an epoll loop's thread, a connection's replies wait for the end of the loop's batch and then
/// leave in one write; on any other thread they leave at once.</summary>
public sealed class LoopBatchTests
{
    [Fact]
    public void OffALoopsThreadRepliesAreWrittenAtOnce()
    {
        using var metrics = new ServerInstruments(null, () => 0);
        var live = new LiveSession(ProtocolOptions.Default, 1 << 20, SlowConsumerPolicy.Wait, metrics);
        var writer = new CountingWriter();
        live.StartWriting(writer);

        Assert.False(LoopBatch.TryDefer(new CountingFlush()));
        live.Send(MessageKind.Binary, new byte[10], defer: true);
        live.FlushAtBatchEnd();

        Assert.Equal(1, writer.Writes);
        Assert.Equal(12, writer.Bytes); // a 2-byte header
        live.Release();
    }

    [Fact]
    public void OnALoopsThreadRepliesWaitForTheBatchEndAndLeaveInOneWrite()
    {
        using var metrics = new ServerInstruments(null, () => 0);
        var live = new LiveSession(ProtocolOptions.Default, 1 << 20, SlowConsumerPolicy.Wait, metrics);
        var writer = new CountingWriter();
        live.StartWriting(writer);
        int writesBeforeTheEnd = -1;

        RunOnALoopsThread(() =>
        {
            live.Send(MessageKind.Binary, new byte[10], defer: true);
            live.FlushAtBatchEnd();
            live.Send(MessageKind.Binary, new byte[20], defer: true); // a second read of the same batch
            live.FlushAtBatchEnd();
            writesBeforeTheEnd = writer.Writes;
            LoopBatch.FlushDue();
        });

        Assert.Equal(0, writesBeforeTheEnd);
        Assert.Equal(1, writer.Writes);
        Assert.Equal(12 + 22, writer.Bytes);
        live.Release();
    }

    [Fact]
    public void TheBatchEndRunsEachDeferredFlushOnceInTheOrderTheyCame()
    {
        var order = new List<int>();
        var first = new CountingFlush(order, 1);
        var second = new CountingFlush(order, 2);
        bool deferred = false;

        RunOnALoopsThread(() =>
        {
            deferred = LoopBatch.TryDefer(first) && LoopBatch.TryDefer(second);
            LoopBatch.FlushDue();
            LoopBatch.FlushDue(); // the next batch: nothing left from the last
        });

        Assert.True(deferred);
        Assert.Equal([1, 2], order);
    }

    // A loop's mark stays on its thread, which must not be one the tests share.
    private static void RunOnALoopsThread(Action batch) => OwnThread.Run(() =>
    {
        LoopBatch.Enter();
        batch();
    });

    private sealed class CountingFlush(List<int>? order = null, int id = 0) : IBatchFlush
    {
        public void Flush() => order?.Add(id);
    }

    private sealed class CountingWriter : IBatchWriter
    {
        public int Writes;
        public long Bytes;

        public ValueTask WriteAsync(ReadOnlyMemory<byte> bytes)
        {
            Writes++;
            Bytes += bytes.Length;
            return ValueTask.CompletedTask;
        }

        public ValueTask WriteAsync(List<ArraySegment<byte>> batch, int total)
        {
            Writes++;
            Bytes += total;
            return ValueTask.CompletedTask;
        }

        public void Abort() => throw new InvalidOperationException("No write fails here.");
    }
}
