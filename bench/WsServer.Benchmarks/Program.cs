using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using WsServer.Benchmarks.Support;

// Usage: dotnet run -c Release --project bench/WsServer.Benchmarks -- [--quick] [BenchmarkDotNet options]
// --quick: one in-process launch, 3 warm-ups and 5 measured iterations per case, so a class runs in a
// few minutes on a small shared machine (no separate build per benchmark). Without it, BenchmarkDotNet's
// defaults apply (or whatever --job says).
bool quick = args.Contains("--quick");
string[] rest = args.Where(a => a != "--quick").ToArray();

IConfig config = DefaultConfig.Instance.AddColumn(new ThroughputColumn());
if (quick)
{
    config = config.AddJob(Job.ShortRun
        .WithWarmupCount(3)
        .WithIterationCount(5)
        .WithToolchain(InProcessEmitToolchain.Instance)
        .WithId("Quick"));
}

BenchmarkSwitcher.FromAssembly(typeof(ThroughputColumn).Assembly).Run(rest, config);
