namespace WsServer.Tests.TestSupport;

/// <summary>Bytes allocated over several windows of the same step, once warm: an allocation per step
/// shows in every window, a one-off (a pool refilled after parallel tests emptied it, a tier-up, the
/// heartbeat) in one at most, so the tests ask that the cleanest window be clean.</summary>
public static class AllocationWindows
{
    /// <summary>Runs <paramref name="step"/> <paramref name="warmSteps"/> times, then <paramref name="windows"/>
    /// windows of <paramref name="stepsPerWindow"/>; the bytes <paramref name="allocated"/> (this thread's, or
    /// the whole process's) counted in each window.</summary>
    public static long[] Measure(Action step, Func<long> allocated, int warmSteps = 50, int windows = 5, int stepsPerWindow = 100)
    {
        for (int i = 0; i < warmSteps; i++) step();
        long[] bytes = new long[windows];
        for (int w = 0; w < windows; w++)
        {
            long before = allocated();
            for (int i = 0; i < stepsPerWindow; i++) step();
            bytes[w] = allocated() - before;
        }
        return bytes;
    }

    public static long ThisThread() => GC.GetAllocatedBytesForCurrentThread();

    public static long WholeProcess() => GC.GetTotalAllocatedBytes(precise: true);
}
