using System.Diagnostics;
using WsServer.LoadTest.Servers;

namespace WsServer.LoadTest.Measuring;

/// <summary>What one server child and this tool (the load generator) did over a measured window: its wall time,
/// the CPU time of each process (user + system, every thread; the server's system part too) and the child's own GC counters.</summary>
internal readonly record struct Usage(TimeSpan Elapsed, TimeSpan ServerCpu, TimeSpan ServerKernelCpu, TimeSpan ClientCpu, ServerStats Server)
{
    /// <summary>The server child's system calls over the window; null when perf could not count them.</summary>
    public SyscallCounts? Syscalls { get; init; }

    /// <summary>The share of the server's CPU time spent in the kernel (syscalls, the TCP stack, loopback
    /// delivery): what no user-space change can cut.</summary>
    public double ServerKernelPercent => ServerCpu > TimeSpan.Zero ? 100 * (ServerKernelCpu / ServerCpu) : double.NaN;

    /// <summary>The server child's CPU as a percentage of one core.</summary>
    public double ServerCpuPercent => Percent(ServerCpu);

    /// <summary>This tool's CPU as a percentage of one core.</summary>
    public double ClientCpuPercent => Percent(ClientCpu);

    /// <summary>The server's CPU time per operation, in µs.</summary>
    public double ServerMicrosecondsPer(long operations) =>
        operations > 0 ? ServerCpu.TotalMicroseconds / operations : double.NaN;

    private double Percent(TimeSpan cpu) => Elapsed > TimeSpan.Zero ? 100 * (cpu / Elapsed) : double.NaN;
}

/// <summary>Measures a window: <see cref="StartAsync"/> when the load is running, <see cref="StopAsync"/> at its
/// end. The child's CPU is read by this process from /proc (so any build, <c>--baseline</c> included, is
/// measured alike); the GC counters come over the control channel, before the clock starts and after it stops,
/// so that round trip is not inside the window.</summary>
internal sealed class UsageMeter
{
    private static readonly Process Self = Process.GetCurrentProcess();
    private readonly ServerProcess _server;
    private readonly ServerStats _stats;
    private readonly long _start;
    private readonly (TimeSpan Total, TimeSpan Kernel) _serverCpu;
    private readonly TimeSpan _clientCpu;
    private readonly SyscallCounter? _syscalls;

    private UsageMeter(ServerProcess server, ServerStats stats, SyscallCounter? syscalls)
    {
        _server = server;
        _stats = stats;
        _syscalls = syscalls;
        _serverCpu = server.ReadCpuTime();
        _clientCpu = ClientCpu();
        _start = Stopwatch.GetTimestamp();
    }

    /// <summary>Starts a window; with <paramref name="collect"/> the child runs a full GC first.</summary>
    public static async Task<UsageMeter> StartAsync(ServerProcess server, bool collect = false)
    {
        ServerStats stats = await server.StatsAsync(collect);
        return new(server, stats, await SyscallCounter.StartAsync(server.Pid));
    }

    /// <summary>Ends the window; with <paramref name="collect"/> the child runs a full GC after it.</summary>
    public async Task<Usage> StopAsync(bool collect = false)
    {
        TimeSpan elapsed = Stopwatch.GetElapsedTime(_start);
        (TimeSpan Total, TimeSpan Kernel) serverCpu = _server.ReadCpuTime();
        TimeSpan clientCpu = ClientCpu();
        SyscallCounts? syscalls = _syscalls is null ? null : await _syscalls.StopAsync();
        ServerStats stats = await _server.StatsAsync(collect);
        return new Usage(elapsed, serverCpu.Total - _serverCpu.Total, serverCpu.Kernel - _serverCpu.Kernel, clientCpu - _clientCpu, stats - _stats)
        {
            Syscalls = syscalls,
        };
    }

    private static TimeSpan ClientCpu()
    {
        Self.Refresh();
        return Self.TotalProcessorTime;
    }
}
