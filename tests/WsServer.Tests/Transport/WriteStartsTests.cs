using WsServer.Tests.TestSupport;
using WsServer.Transport;

namespace WsServer.Tests.Transport;

/// <summary>The writes a broadcast claims start together, in work items of up to 32, once its scope ends or an
/// item is full; outside a scope each starts on its own.</summary>
public sealed class WriteStartsTests
{
    [Fact]
    public void OutsideABatchAWriteIsLeftToStartOnItsOwn()
    {
        var write = new RecordingWrite(new CountdownEvent(1), () => true);

        Assert.False(WriteStarts.TryAdd(write));
        Assert.Equal(0, write.Runs);
    }

    [Fact]
    public async Task EveryWriteOfABatchRunsOnceAndThoseOfAnItemNotFullOnlyAfterTheOutermostScope()
    {
        const int count = 70; // two full items of 32 and 6 left for the end of the scope
        var done = new CountdownEvent(count); // not disposed: on a failed assertion, the writes still queued signal it later
        bool ended = false;
        var writes = Enumerable.Range(0, count).Select(_ => new RecordingWrite(done, () => Volatile.Read(ref ended))).ToArray();

        using (WriteStarts.Batch())
        {
            using (WriteStarts.Batch())
            {
                foreach (RecordingWrite write in writes) Assert.True(WriteStarts.TryAdd(write));
                Assert.Equal(6, WriteStarts.HeldOnThisThread); // the two full items are queued already
            }
            // The inner scope's end queues nothing: the outer one is still open.
            Assert.Equal(6, WriteStarts.HeldOnThisThread);
            Volatile.Write(ref ended, true);
        }
        Assert.Equal(0, WriteStarts.HeldOnThisThread);

        Assert.True(await Task.Run(() => done.Wait(Timeouts.Default)));
        Assert.All(writes, w => Assert.Equal(1, w.Runs));
        Assert.All(writes[64..], w => Assert.True(w.RanAfterTheScope));
    }

    private sealed class RecordingWrite(CountdownEvent done, Func<bool> scopeEnded) : IThreadPoolWorkItem
    {
        private int _runs;

        public int Runs => Volatile.Read(ref _runs);

        public bool RanAfterTheScope { get; private set; }

        public void Execute()
        {
            RanAfterTheScope = scopeEnded();
            Interlocked.Increment(ref _runs);
            done.Signal();
        }
    }
}
