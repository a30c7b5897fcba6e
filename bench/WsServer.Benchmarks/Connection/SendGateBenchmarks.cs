using BenchmarkDotNet.Attributes;
using WsServer.Connections;

namespace WsServer.Benchmarks.Connection;

/// <summary>One pass through a connection's send gate, uncontended, as every queued frame and every batch
/// taken makes one: the <see cref="SpinGate"/> against the <see cref="Lock"/> it replaced.</summary>
[MemoryDiagnoser]
public class SendGateBenchmarks
{
    private readonly Lock _lock = new();
    private SpinGate _gate;
    private long _passes;

    [Benchmark(Baseline = true)]
    public long LockPass()
    {
        lock (_lock) _passes++;
        return _passes;
    }

    [Benchmark]
    public long SpinGatePass()
    {
        using (_gate.Hold()) _passes++;
        return _passes;
    }
}
