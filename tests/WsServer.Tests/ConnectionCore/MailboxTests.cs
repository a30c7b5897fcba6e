using System.Collections.Concurrent;
using WsServer.Connections;
using WsServer.Tests.TestSupport;

namespace WsServer.Tests.ConnectionCore;

/// <summary>The mailbox: items in order, in the turn, never overlapping; keep-alive ticks as a flag;
/// nothing lost as a drain ends; no queue held once drained.</summary>
public sealed class MailboxTests
{
    [Fact]
    public async Task AnItemPostedAsTheDrainFinishesIsDelivered()
    {
        var owner = new Recorder();
        var box = new Mailbox(owner);

        // Each item is posted the moment the previous one was delivered, while that drain is on its
        // way out: each must still arrive, by that drain or the next.
        for (int i = 0; i < 2000; i++)
        {
            Assert.True(box.Post(i));
            Assert.True(await owner.Delivered.WaitAsync(Timeouts.Default));
        }

        Assert.Equal(Enumerable.Range(0, 2000), owner.Items.Select(item => (int)item!));
        Assert.True(await Timeouts.Eventually(() => !box.HoldsQueue));
    }

    [Fact]
    public async Task TicksAndPostsFromManyThreadsKeepOrderAndNeverOverlapTheTurn()
    {
        var owner = new Recorder();
        var box = new Mailbox(owner);
        HandlerTurn turn = box; // the box delivers in its own turn
        const int PerPoster = 2000;

        Task[] parties =
        [
            .. Enumerable.Range(0, 2).Select(p => Task.Run(() =>
            {
                for (int i = 0; i < PerPoster; i++) Assert.True(box.Post((p, i)));
            })),
            Task.Run(() =>
            {
                for (int i = 0; i < PerPoster; i++) box.PostTick();
            }),
            // The session loop, taking the turn for messages meanwhile.
            Task.Run(async () =>
            {
                for (int i = 0; i < PerPoster; i++)
                {
                    await turn.EnterAsync();
                    owner.Inside();
                    if (i % 128 == 0) await Task.Yield();
                    owner.Leave();
                    turn.Exit();
                }
            }),
        ];
        await Task.WhenAll(parties).Bounded();

        Assert.True(await Timeouts.Eventually(() => owner.Items.Count == 2 * PerPoster));
        for (int p = 0; p < 2; p++)
            Assert.Equal(Enumerable.Range(0, PerPoster), owner.Items.Select(item => ((int, int))item!).Where(x => x.Item1 == p).Select(x => x.Item2));
        Assert.Equal(0, owner.Overlaps);
        Assert.InRange(owner.Checks, 1, PerPoster); // ticks pending together are one check

        // A tick posted to an idle box is not lost, and leaves no queue behind.
        int checks = owner.Checks;
        box.PostTick();
        Assert.True(await Timeouts.Eventually(() => owner.Checks == checks + 1));
        Assert.True(await Timeouts.Eventually(() => !box.HoldsQueue));
    }

    [Fact]
    public async Task AnEndedOwnersBoxRefusesPostsAndDropsWhatItHeld()
    {
        var owner = new Recorder();
        var box = new Mailbox(owner);
        HandlerTurn turn = box; // the box delivers in its own turn
        await turn.EnterAsync(); // a handler call under way: the drain waits for it
        Assert.True(box.Post("queued"));
        box.PostTick();

        owner.HasEnded = true;
        box.Clear();
        turn.Exit();

        Assert.False(box.Post("late"));
        Assert.False(box.HoldsQueue);
        // The drain that was waiting finds nothing to do, and the turn is free again afterwards.
        await turn.EnterAsync().AsTask().Bounded();
        turn.Exit();
        Assert.Empty(owner.Items);
        Assert.Equal(0, owner.Checks);
    }

    private sealed class Recorder : IMailboxOwner
    {
        private int _inside;

        public ConcurrentQueue<object?> Items { get; } = new();

        public SemaphoreSlim Delivered { get; } = new(0);

        public int Overlaps;

        public int Checks;

        public bool HasEnded { get; set; }

        public async ValueTask DeliverMailAsync(object? item)
        {
            Inside();
            Items.Enqueue(item);
            if (Items.Count % 97 == 0) await Task.Yield(); // hold the turn across an await now and then
            Leave();
            Delivered.Release();
        }

        public void CheckLiveness()
        {
            Inside();
            Checks++; // not atomic on purpose: only safe because calls never overlap
            Leave();
        }

        public void Inside()
        {
            if (Interlocked.Increment(ref _inside) != 1) Interlocked.Increment(ref Overlaps);
        }

        public void Leave() => Interlocked.Decrement(ref _inside);
    }
}
