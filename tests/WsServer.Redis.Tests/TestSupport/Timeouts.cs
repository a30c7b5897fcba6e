namespace WsServer.Redis.Tests.TestSupport;

/// <summary>Bounds on every wait, so a hang fails instead of blocking the run; never asserted on.</summary>
public static class Timeouts
{
    public static readonly TimeSpan Default = TimeSpan.FromSeconds(20);

    public static CancellationToken Token() => new CancellationTokenSource(Default).Token;

    public static Task<T> Bounded<T>(this Task<T> task) => task.WaitAsync(Default);

    /// <summary>Polls until <paramref name="condition"/> holds; fails after 20 s.</summary>
    public static Task Eventually(Func<bool> condition) => Eventually(() => Task.FromResult(condition()));

    /// <inheritdoc cref="Eventually(Func{bool})"/>
    public static async Task Eventually(Func<Task<bool>> condition)
    {
        for (int attempt = 0; !await condition(); attempt++)
        {
            if (attempt >= 400) throw new TimeoutException("the condition did not come true within 20 s");
            await Task.Delay(50);
        }
    }
}
