using System.Globalization;
using WsServer.LoadTest.Client;
using WsServer.LoadTest.Machine;

namespace WsServer.LoadTest;

/// <summary>The tool's command line: <c>[scenario] [--option value]...</c> (<c>all</c>: the headline loads, see <see cref="Scenarios.AllLoadsScenario"/>).</summary>
internal sealed record LoadOptions
{
    public static readonly string[] Scenarios = ["echo", "latency", "upgrades", "fanout", "idle", "flood", "stream"];

    public string Scenario { get; init; } = "all";
    public int Rounds { get; init; } = 3;
    public double DurationSeconds { get; init; } = 2;
    public double WarmupSeconds { get; init; } = 0.5;
    public int Connections { get; init; } = 50;
    public int Window { get; init; } = 8;
    public int[] Sizes { get; init; } = [16, 1024, 65536];
    public int LatencySize { get; init; } = 16;
    public int[] LatencyConnections { get; init; } = [1, 50];
    public int UpgradeConcurrency { get; init; } = 16;
    public int FanoutConnections { get; init; } = 1000;
    public int FanoutWindow { get; init; } = 4;
    public int FanoutSize { get; init; } = 64;
    public int IdleConnections { get; init; } = 10_000;
    public int IdleRounds { get; init; } = 1;

    /// <summary>Seconds the idle connections stay open after they are measured (<c>--idle-hold</c>), to inspect
    /// the server (dotnet-gcdump) while it holds them.</summary>
    public int IdleHold { get; init; }
    public double FloodSeconds { get; init; } = 10;

    /// <summary>The size of the one message the stream scenario sends through a streaming echo, in MiB.</summary>
    public int StreamMb { get; init; } = 1024;
    public int FloodRssLimitMb { get; init; } = 200;
    public int FloodConnections { get; init; } = 20;
    public int FloodPingMb { get; init; } = 50;
    public bool ServerGc { get; init; } = true;

    /// <summary>How the echo loads and the fan-out's receivers drive their connections: one epoll thread
    /// (<c>--client epoll</c>, the default where it runs) or an async pump per connection (<c>--client async</c>).</summary>
    public ClientDriver Client { get; init; } = Epoll.IsSupported ? ClientDriver.Epoll : ClientDriver.Async;

    /// <summary>Run the WsServer children with inline socket completions, as the <c>wsserver</c> program does
    /// for its built-in handlers (<c>--wsserver-inline-io on</c>, the default); Kestrel keeps the runtime's default.</summary>
    public bool WsServerInlineIo { get; init; } = true;

    /// <summary>Run the WsServer children with the GC settings of the <c>wsserver</c> program's runtimeconfig (a
    /// young generation of at most 1 MiB, in 1 MiB regions: <c>--wsserver-gc program</c>, the default) or with the
    /// runtime's defaults (<c>default</c>); Kestrel keeps the runtime's defaults.</summary>
    public bool WsServerProgramGc { get; init; } = true;

    /// <summary>Serve the WsServer children's connections on WsServer's own epoll loops (<c>--wsserver-transport
    /// epoll</c>, the default, as <see cref="Hosting.ServerOptions.EpollTransport"/>) or on .NET's socket engine (<c>sockets</c>).</summary>
    public bool WsServerEpoll { get; init; } = true;

    /// <summary>Run the WsServer children inside ASP.NET Core through WsServer.AspNetCore (<c>--wsserver-host
    /// aspnetcore</c>: Kestrel accepts and upgrades, WsServer runs the codec) instead of on their own listener
    /// (<c>own</c>, the default).</summary>
    public bool WsServerInAspNetCore { get; init; }

    /// <summary>The child command of the WsServer side.</summary>
    public string WsServerCommand => WsServerInAspNetCore ? "serve-aspnetcore" : "serve-wsserver";

    /// <summary>The CPUs of the server children and of this tool; null when not pinned (<c>--pin off</c>).</summary>
    public CorePinning? Pin { get; init; } = CorePinning.Default;
    public string? Out { get; init; }

    /// <summary>Where to write the chart of the run's loads as SVG (<c>--chart FILE.svg</c>), or null.</summary>
    public string? Chart { get; init; }
    public int Port { get; init; }

    /// <summary>Another build's WsServer.LoadTest.dll: its <c>serve-wsserver</c> replaces Kestrel as the
    /// second server, so one run measures a change before and after under the same interleaving.</summary>
    public string? Baseline { get; init; }

    /// <summary>The uWebSockets anchor server built by bench/uws/build.sh: measured beside WsServer and the other
    /// server, in the same rounds.</summary>
    public string? Uws { get; init; }

    /// <summary>Count each server's system calls over each window with perf stat (<c>--syscalls on|off</c>).</summary>
    public bool CountSyscalls { get; init; } = true;

    public TimeSpan Duration => TimeSpan.FromSeconds(DurationSeconds);
    public TimeSpan Warmup => TimeSpan.FromSeconds(WarmupSeconds);

    public static LoadOptions Parse(string[] args)
    {
        var o = new LoadOptions();
        int i = 0;
        if (args.Length > 0 && !args[0].StartsWith("--", StringComparison.Ordinal))
        {
            o = o with { Scenario = args[0] };
            i = 1;
        }
        if (o.Scenario != "all" && !o.Scenario.StartsWith("serve-", StringComparison.Ordinal) && !Scenarios.Contains(o.Scenario))
            throw new ArgumentException($"Unknown scenario '{o.Scenario}': all, {string.Join(", ", Scenarios)}.");
        for (; i < args.Length; i += 2)
        {
            if (i + 1 >= args.Length) throw new ArgumentException($"{args[i]} needs a value.");
            string v = args[i + 1];
            o = args[i] switch
            {
                "--rounds" => o with { Rounds = Int(v) },
                "--duration" => o with { DurationSeconds = double.Parse(v, CultureInfo.InvariantCulture) },
                "--warmup" => o with { WarmupSeconds = double.Parse(v, CultureInfo.InvariantCulture) },
                "--connections" => o with { Connections = Int(v) },
                "--window" => o with { Window = Int(v) },
                "--sizes" => o with { Sizes = Ints(v) },
                "--latency-connections" => o with { LatencyConnections = Ints(v) },
                "--upgrade-concurrency" => o with { UpgradeConcurrency = Int(v) },
                "--fanout-connections" => o with { FanoutConnections = Int(v) },
                "--fanout-window" => o with { FanoutWindow = Int(v) },
                "--idle-connections" => o with { IdleConnections = Int(v) },
                "--idle-rounds" => o with { IdleRounds = Int(v) },
                "--idle-hold" => o with { IdleHold = Int(v) },
                "--stream-mb" => o with { StreamMb = Int(v) },
                "--flood-seconds" => o with { FloodSeconds = double.Parse(v, CultureInfo.InvariantCulture) },
                "--flood-rss-limit-mb" => o with { FloodRssLimitMb = Int(v) },
                "--flood-connections" => o with { FloodConnections = Int(v) },
                "--flood-ping-mb" => o with { FloodPingMb = Int(v) },
                "--wsserver-gc" => o with { WsServerProgramGc = v switch { "program" => true, "default" => false,
                    _ => throw new ArgumentException("--wsserver-gc is program or default.") } },
                "--wsserver-inline-io" => o with { WsServerInlineIo = v switch { "on" => true, "off" => false,
                    _ => throw new ArgumentException("--wsserver-inline-io is on or off.") } },
                "--wsserver-transport" => o with { WsServerEpoll = v switch { "epoll" => true, "sockets" => false,
                    _ => throw new ArgumentException("--wsserver-transport is epoll or sockets.") } },
                "--wsserver-host" => o with { WsServerInAspNetCore = v switch { "own" => false, "aspnetcore" => true,
                    _ => throw new ArgumentException("--wsserver-host is own or aspnetcore.") } },
                "--client" => o with { Client = v switch { "async" => ClientDriver.Async,
                    "epoll" => Epoll.IsSupported ? ClientDriver.Epoll : throw new ArgumentException("--client epoll needs Linux on x86-64."),
                    _ => throw new ArgumentException("--client is async or epoll.") } },
                "--gc" => o with { ServerGc = v switch { "server" => true, "workstation" => false,
                    _ => throw new ArgumentException("--gc is server or workstation.") } },
                "--pin" => o with { Pin = CorePinning.Parse(v) },
                "--out" => o with { Out = v },
                "--chart" => o with { Chart = v },
                "--port" => o with { Port = Int(v) },
                "--baseline" => o with { Baseline = Dll(v) },
                "--syscalls" => o with { CountSyscalls = v switch { "on" => true, "off" => false,
                    _ => throw new ArgumentException("--syscalls is on or off.") } },
                "--uws" => o with { Uws = File.Exists(v) ? Path.GetFullPath(v) : throw new ArgumentException($"--uws: no such file '{v}' (build it with bench/uws/build.sh).") },
                _ => throw new ArgumentException($"Unknown option {args[i]}."),
            };
        }
        return o;
    }

    private static int Int(string v) => int.Parse(v, CultureInfo.InvariantCulture);

    // Checked here so a typo fails at once rather than after the first server has started; the full path
    // goes into the report and does not depend on the child's working directory.
    private static string Dll(string v) => File.Exists(v) ? Path.GetFullPath(v)
        : throw new ArgumentException($"--baseline: no such file '{v}'.");

    private static int[] Ints(string v) => [.. v.Split(',').Select(Int)];
}

/// <summary>See <see cref="LoadOptions.Client"/>.</summary>
internal enum ClientDriver
{
    Async,
    Epoll,
}
