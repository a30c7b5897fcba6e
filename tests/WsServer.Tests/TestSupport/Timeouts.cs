namespace WsServer.Tests.TestSupport;

/// <summary>Bounds on every wait in a test, so a hang fails instead of blocking the run. They bound;
/// they are never asserted on.</summary>
public static class Timeouts
{
    public static readonly TimeSpan Default = TimeSpan.FromSeconds(20);

    public static CancellationToken Token() => new CancellationTokenSource(Default).Token;

    public static Task<T> Bounded<T>(this Task<T> task) => task.WaitAsync(Default);

    public static Task Bounded(this Task task) => task.WaitAsync(Default);

    /// <summary>Polls a state the server reaches on its own until it holds or <see cref="Default"/> has
    /// passed; returns whether it holds, for the test to assert.</summary>
    public static async Task<bool> Eventually(Func<bool> condition)
    {
        long deadline = Environment.TickCount64 + (long)Default.TotalMilliseconds;
        while (!condition())
        {
            if (Environment.TickCount64 > deadline) return condition();
            await Task.Delay(10);
        }
        return true;
    }
}
