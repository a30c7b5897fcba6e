using WsServer.LoadTest.Scenarios;
using WsServer.LoadTest.Servers;

namespace WsServer.LoadTest;

/// <summary>Starts both server children, runs the chosen scenarios against them in interleaved rounds and
/// stops them; the idle scenario gets fresh children so its memory baseline is clean.</summary>
internal sealed class Runner(LoadOptions options, Report report)
{
    public async Task RunAsync()
    {
        string[] scenarios = options.Scenario == "all" ? LoadOptions.Scenarios : [options.Scenario];
        if (scenarios.Any(s => s != "idle"))
        {
            using ServerProcess ws = await ServerProcess.StartAsync("WsServer", "serve-wsserver", options.ServerGc);
            using ServerProcess kestrel = await ServerProcess.StartAsync("Kestrel", "serve-kestrel", options.ServerGc);
            var pair = new ServerPair(ws, kestrel);
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
    }
}

/// <summary>The two servers under test, measured in alternating order round after round.</summary>
internal sealed record ServerPair(ServerProcess WsServer, ServerProcess Kestrel)
{
    /// <summary>Runs <paramref name="once"/> <paramref name="rounds"/> times per server, alternating which
    /// goes first, so drift in the machine's load hits both alike.</summary>
    public async Task<Row> InterleaveAsync(string name, int rounds, Func<ServerProcess, Task<Sample>> once)
    {
        var ws = new List<Sample>();
        var k = new List<Sample>();
        for (int r = 0; r < rounds; r++)
        {
            bool wsFirst = r % 2 == 0;
            for (int i = 0; i < 2; i++)
            {
                bool isWs = wsFirst == (i == 0);
                ServerProcess server = isWs ? WsServer : Kestrel;
                Sample sample = await once(server);
                (isWs ? ws : k).Add(sample);
                Console.Error.WriteLine($"  {name} round {r + 1} {server.Name}: {sample.Value:0.##}");
            }
        }
        return new Row(name, ws, k);
    }
}
