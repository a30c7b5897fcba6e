namespace WsServer.Redis.Tests.TestSupport;

/// <summary>Bounds on every wait, so a hang fails instead of blocking the run; never asserted on.</summary>
public static class Timeouts
{
    public static readonly TimeSpan Default = TimeSpan.FromSeconds(20);

    public static CancellationToken Token() => new CancellationTokenSource(Default).Token;

    public static Task<T> Bounded<T>(this Task<T> task) => task.WaitAsync(Default);
}
