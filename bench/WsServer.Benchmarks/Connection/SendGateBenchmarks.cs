using BenchmarkDotNet.Attributes;
using WsServer.Connections;

namespace WsServer.Benchmarks.Connection;

/// <summary>One pass through a connection's send gate, uncontended, as every queued frame and every batch
/// taken makes one: the gate (a <see cref="SpinLock"/> without owner tracking, through <see cref="GateScope"/>)
/// against a <see cref="Lock"/> and against a <see cref="SpinLock"/> that tracks its owner.</summary>
[MemoryDiagnoser]
public class SendGateBenchmarks
{
    private readonly Lock _lock = new();
    private SpinLock _gate = new(enableThreadOwnerTracking: false);
    private SpinLock _tracked = new(enableThreadOwnerTracking: true);
    private long _passes;

    [Benchmark(Baseline = true)]
    public long LockPass()
    {
        lock (_lock) _passes++;
        return _passes;
    }

    [Benchmark]
    public long TrackedSpinLockPass()
    {
        bool taken = false;
        _tracked.Enter(ref taken);
        _passes++;
        _tracked.Exit(useMemoryBarrier: false);
        return _passes;
    }

    [Benchmark]
    public long GatePass()
    {
        using (_gate.Hold()) _passes++;
        return _passes;
    }
}
