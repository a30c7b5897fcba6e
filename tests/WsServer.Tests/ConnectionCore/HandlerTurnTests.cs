using WsServer.Connections;
using WsServer.Tests.TestSupport;

namespace WsServer.Tests.ConnectionCore;

/// <summary>The turn: one holder at a time, whoever asks and however many wait, each waiter served.</summary>
public sealed class HandlerTurnTests
{
    [Fact]
    public async Task ManyPartiesNeverHoldTheTurnAtOnceAndEveryOneGetsIt()
    {
        var turn = new HandlerTurn();
        int inside = 0, overlaps = 0, entries = 0;
        await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
        {
            for (int i = 0; i < 2000; i++)
            {
                await turn.EnterAsync();
                if (Interlocked.Increment(ref inside) != 1) Interlocked.Increment(ref overlaps);
                entries++; // not atomic on purpose: only safe because the turn is exclusive
                if (i % 64 == 0) await Task.Yield(); // hold it across an await now and then
                Interlocked.Decrement(ref inside);
                turn.Exit();
            }
        }))).Bounded();

        Assert.Equal(0, overlaps);
        Assert.Equal(8000, entries);
    }

    [Fact]
    public async Task WaitersAreServedInArrivalOrder()
    {
        var turn = new HandlerTurn();
        await turn.EnterAsync();
        var order = new List<int>();
        Task[] waiting = [.. Enumerable.Range(1, 3).Select(n => Wait(n))];
        Assert.All(waiting, t => Assert.False(t.IsCompleted));

        turn.Exit();
        await Task.WhenAll(waiting).Bounded();

        Assert.Equal([1, 2, 3], order);

        async Task Wait(int n)
        {
            await turn.EnterAsync();
            order.Add(n);
            turn.Exit();
        }
    }
}
