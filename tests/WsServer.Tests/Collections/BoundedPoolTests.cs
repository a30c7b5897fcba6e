using WsServer.Collections;

namespace WsServer.Tests.Collections;

/// <summary>The one pool's one rule: at most its bound is kept, whatever the threads.</summary>
public sealed class BoundedPoolTests
{
    [Fact]
    public void AReturnPastTheBoundIsRefusedAndARentTakesWhatWasKept()
    {
        var pool = new BoundedPool<object>(maxKept: 2);
        object first = new(), second = new(), third = new();

        Assert.True(pool.TryReturn(first));
        Assert.True(pool.TryReturn(second));
        Assert.False(pool.TryReturn(third));

        Assert.True(pool.TryRent(out object? a));
        Assert.True(pool.TryRent(out object? b));
        Assert.False(pool.TryRent(out _));
        Assert.Equal([first, second], [a!, b!]);
    }

    [Fact]
    public void ConcurrentReturnsKeepNoMoreThanTheBound()
    {
        var pool = new BoundedPool<object>(maxKept: 100);
        int kept = 0;

        Parallel.For(0, 1000, _ =>
        {
            if (pool.TryReturn(new object())) Interlocked.Increment(ref kept);
        });

        Assert.Equal(100, kept);
        int rented = 0;
        while (pool.TryRent(out _)) rented++;
        Assert.Equal(100, rented);
    }
}
