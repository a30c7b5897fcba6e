using WsServer.LoadTest.Scenarios;
using WsServer.LoadTest.Servers;

namespace WsServer.LoadTest;

/// <summary>Runs the headline loads (<c>all</c>), which starts fresh children for each load, or one
/// of the single scenarios: these share one pair of children (WsServer and Kestrel, or WsServer and the
/// <c>--baseline</c> build's WsServer), but for idle and flood, which get fresh children so their memory
/// figures are their own.</summary>
internal sealed class Runner(LoadOptions options, Report report)
{
    public async Task RunAsync()
    {
        if (options.Scenario == "all")
        {
            await AllLoadsScenario.RunAsync(options, report);
            return;
        }
        string[] scenarios = [options.Scenario];
        if (scenarios.Any(s => s is not ("idle" or "flood" or "stream")))
        {
            using ServerPair pair = await ServerPair.StartAsync(options);
            foreach (string scenario in scenarios)
            {
                switch (scenario)
                {
                    case "echo": await EchoScenario.RunAsync(pair, options, report); break;
                    case "latency": await LatencyScenario.RunAsync(pair, options, report); break;
                    case "upgrades": await UpgradeScenario.RunAsync(pair, options, report); break;
                    case "fanout": await FanoutScenario.RunAsync(pair, options, report); break;
                }
            }
        }
        if (scenarios.Contains("idle")) await IdleScenario.RunAsync(options, report);
        if (scenarios.Contains("flood")) await FloodScenario.RunAsync(options, report);
        if (scenarios.Contains("stream")) await StreamScenario.RunAsync(options, report);
    }
}

/// <summary>The two servers under test, measured in alternating order round after round: this build's
/// WsServer and <see cref="Other"/>, the one it is compared with (Kestrel, or the baseline build's WsServer).</summary>
internal sealed record ServerPair(ServerProcess WsServer, ServerProcess Other) : IDisposable
{
    /// <summary>The uWebSockets anchor (<c>--uws</c>), measured in the same rounds; null when not asked for.</summary>
    public ServerProcess? Anchor { get; init; }

    /// <summary>Starts this build's WsServer and the other server <paramref name="o"/> asks for.</summary>
    public static async Task<ServerPair> StartAsync(LoadOptions o)
    {
        ServerProcess ws = await ServerProcess.StartAsync(o.WsServerInAspNetCore ? "WsServer.AspNetCore" : "WsServer", o.WsServerCommand, o);
        try
        {
            ServerProcess other = o.Baseline is { } dll
                ? await ServerProcess.StartAsync("WsServer (baseline)", "serve-wsserver", o, dll)
                : await ServerProcess.StartAsync("Kestrel", "serve-kestrel", o);
            try
            {
                return new ServerPair(ws, other) { Anchor = o.Uws is { } uws ? await ServerProcess.StartNativeAsync("uWebSockets", uws, o) : null };
            }
            catch
            {
                other.Dispose();
                throw;
            }
        }
        catch
        {
            // Not handed out yet, so nobody else would stop them.
            ws.Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        Anchor?.Dispose();
        Other.Dispose();
        WsServer.Dispose();
    }

    /// <summary>Runs <paramref name="once"/> <paramref name="rounds"/> times per server, rotating which
    /// goes first, so drift in the machine's load hits them all alike.</summary>
    public async Task<Row> InterleaveAsync(string name, int rounds, Func<ServerProcess, Task<Sample>> once)
    {
        ServerProcess[] servers = Anchor is null ? [WsServer, Other] : [WsServer, Other, Anchor];
        List<Sample>[] samples = [.. servers.Select(_ => new List<Sample>())];
        for (int r = 0; r < rounds; r++)
        {
            for (int i = 0; i < servers.Length; i++)
            {
                int which = (r + i) % servers.Length;
                ServerProcess server = servers[which];
                Sample sample = await once(server);
                samples[which].Add(sample);
                Console.Error.WriteLine($"  {name} round {r + 1} {server.Name}: {sample.Value:0.##} "
                    + $"(server CPU {sample.Usage.ServerCpuPercent:0} %, {sample.ServerMicrosecondsPerOperation:0.00} µs/op, "
                    + $"{sample.ServerMicrosecondsPerOperation * (100 - sample.Usage.ServerKernelPercent) / 100:0.000} in user code"
                    + (sample.SyscallsPerOperation is { } calls ? $", {calls.All:0.00} syscalls/op ({calls.Receives:0.00} receives, {calls.Sends:0.00} sends)" : "")
                    + $"; client CPU {sample.Usage.ClientCpuPercent:0} %)");
            }
        }
        return new Row(name, samples[0], samples[1]) { Anchor = Anchor is null ? null : samples[2] };
    }
}
