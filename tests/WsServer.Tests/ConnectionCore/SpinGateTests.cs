using WsServer.Connections;

namespace WsServer.Tests.ConnectionCore;

public class SpinGateTests
{
    private sealed class Guarded
    {
        public SpinGate Gate;
        public long Count;
    }

    [Fact]
    public void ThreadsThatPassTheGateTogetherNeverLoseAnIncrement()
    {
        const int PerThread = 200_000;
        var guarded = new Guarded();
        Thread[] threads = [.. Enumerable.Range(0, 4).Select(_ => new Thread(() =>
        {
            for (int i = 0; i < PerThread; i++)
            {
                using (guarded.Gate.Hold())
                {
                    // A read and a write apart: two threads inside at once would lose increments.
                    long seen = guarded.Count;
                    Thread.SpinWait(1);
                    guarded.Count = seen + 1;
                }
            }
        }))];
        foreach (Thread thread in threads) thread.Start();
        foreach (Thread thread in threads) Assert.True(thread.Join(TimeSpan.FromSeconds(60)), "each thread should finish");

        Assert.Equal(4L * PerThread, guarded.Count);
    }

    [Fact]
    public void EnteringTheGateItHoldsThrowsInsteadOfHanging()
    {
        var guarded = new Guarded();
        using (guarded.Gate.Hold())
        {
            Assert.Throws<LockRecursionException>(() => guarded.Gate.Enter());
        }

        // Let go by the scope: another thread gets in.
        var entered = new Thread(() =>
        {
            using (guarded.Gate.Hold()) guarded.Count = 1;
        });
        entered.Start();
        Assert.True(entered.Join(TimeSpan.FromSeconds(30)), "the gate should be free once the scope ended");
        Assert.Equal(1, guarded.Count);
    }

    [Fact]
    public void AWaiterGetsInOnceTheHolderLeaves()
    {
        var guarded = new Guarded();
        using var waiting = new ManualResetEventSlim();
        guarded.Gate.Enter();
        var waiter = new Thread(() =>
        {
            waiting.Set();
            using (guarded.Gate.Hold()) guarded.Count = 2;
        });
        waiter.Start();
        waiting.Wait(TimeSpan.FromSeconds(30));
        // The waiter cannot get in while the gate is held: it spins (yielding) until the exit below.
        Assert.False(waiter.Join(TimeSpan.FromMilliseconds(50)));
        Assert.Equal(0, guarded.Count);

        guarded.Gate.Exit();
        Assert.True(waiter.Join(TimeSpan.FromSeconds(30)), "the waiter should get in once the gate is let go");
        Assert.Equal(2, guarded.Count);
    }
}
