using System.Diagnostics;
using System.Globalization;
using System.Net;
using WsServer.LoadTest.Machine;

namespace WsServer.LoadTest.Servers;

/// <summary>A server child of this tool (<c>dotnet &lt;this dll&gt; serve-wsserver|serve-kestrel</c>) or of another
/// build of it (<c>--baseline</c>), with the same runtime settings for both: the GC mode is set through
/// <c>DOTNET_gcServer</c>, and with <c>--pin</c> it is started as <c>taskset -c SERVER dotnet ...</c>.</summary>
internal sealed class ServerProcess : IDisposable
{
    private static readonly List<Process> Running = [];
    private readonly Process _process;

    private ServerProcess(string name, Process process, int port)
    {
        Name = name;
        _process = process;
        EndPoint = new IPEndPoint(IPAddress.Loopback, port);
    }

    public string Name { get; }

    public IPEndPoint EndPoint { get; }

    public int Pid => _process.Id;

    /// <summary>Starts the child and waits for its <c>ready PORT</c> line. <paramref name="dll"/> is the tool
    /// build to run, this one by default; any build speaks the same <c>--port</c>, ready line and control channel.</summary>
    public static Task<ServerProcess> StartAsync(string name, string command, LoadOptions o, string? dll = null)
    {
        ProcessStartInfo start = Pinned("dotnet", o);
        start.ArgumentList.Add(dll ?? typeof(ServerProcess).Assembly.Location);
        start.ArgumentList.Add(command);
        start.ArgumentList.Add("--port");
        start.ArgumentList.Add("0");
        start.Environment["DOTNET_gcServer"] = o.ServerGc ? "1" : "0";
        start.Environment["DOTNET_gcConcurrent"] = "1";
        start.Environment.Remove(Client.ClientRuntime.InlineCompletionsVariable);
        // As `wsserver` runs its built-in handlers (see its --inline-io); Kestrel keeps the runtime's default.
        if (command == "serve-wsserver" && o.WsServerInlineIo) start.Environment[Client.ClientRuntime.InlineCompletionsVariable] = "1";
        start.Environment[WsServerEcho.EpollVariable] = o.WsServerEpoll ? "1" : "0";
        // As the wsserver program's runtimeconfig has it (see WsServer.Host.csproj), for WsServer on its own or inside
        // ASP.NET Core; Kestrel's bare echo keeps the default.
        if (command is "serve-wsserver" or "serve-aspnetcore")
        {
            start.Environment["DOTNET_TC_CallCountingDelayMs"] = "0";
            if (o.WsServerProgramGc)
            {
                // System.GC.Gen0MaxBudget and System.GC.RegionSize, 1 MiB each (the environment's values are hex).
                start.Environment["DOTNET_GCgen0MaxBudget"] = "100000";
                start.Environment["DOTNET_GCRegionSize"] = "100000";
            }
        }
        return StartAsync(name, start, o);
    }

    /// <summary>Starts a native server (the uWebSockets anchor) that speaks the same <c>--port</c>, ready line and
    /// control channel.</summary>
    public static Task<ServerProcess> StartNativeAsync(string name, string executable, LoadOptions o)
    {
        ProcessStartInfo start = Pinned(executable, o);
        start.ArgumentList.Add("--port");
        start.ArgumentList.Add("0");
        return StartAsync(name, start, o);
    }

    // taskset sets the affinity and execs the program, so the child's pid is the server's own.
    private static ProcessStartInfo Pinned(string program, LoadOptions o)
    {
        var start = new ProcessStartInfo(o.Pin is null ? program : CorePinning.Taskset ?? throw new InvalidOperationException(CorePinning.TasksetMissing))
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (o.Pin is { } pin)
        {
            start.ArgumentList.Add("-c");
            start.ArgumentList.Add(pin.ServerCpu.ToString(CultureInfo.InvariantCulture));
            start.ArgumentList.Add(program);
        }
        return start;
    }

    private static async Task<ServerProcess> StartAsync(string name, ProcessStartInfo start, LoadOptions o)
    {
        Process process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {name}.");
        lock (Running) Running.Add(process);
        process.ErrorDataReceived += (_, e) => { if (e.Data is { } line) Console.Error.WriteLine($"[{name}] {line}"); };
        process.BeginErrorReadLine();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        string? ready = await process.StandardOutput.ReadLineAsync(timeout.Token);
        if (ready is null || !ready.StartsWith("ready ", StringComparison.Ordinal))
        {
            KillAll();
            throw new InvalidOperationException($"{name} did not start: '{ready}'.");
        }
        if (o.Pin is { } pinned && CorePinning.AllowedCpus($"/proc/{process.Id}/status") is var cpus
            && !cpus.SequenceEqual([pinned.ServerCpu]))
        {
            KillAll();
            throw new InvalidOperationException($"{name} may run on CPUs {string.Join(',', cpus)}, not only {pinned.ServerCpu}.");
        }
        return new ServerProcess(name, process, int.Parse(ready.AsSpan(6), CultureInfo.InvariantCulture));
    }

    /// <summary>The child's CPU time so far (user + system, every thread), from /proc through
    /// <see cref="Process.TotalProcessorTime"/>; clock-tick resolution (10 ms).</summary>
    public (TimeSpan Total, TimeSpan Kernel) ReadCpuTime()
    {
        _process.Refresh();
        return (_process.TotalProcessorTime, _process.PrivilegedProcessorTime);
    }

    /// <summary>The server's GC counters (after a full blocking collection when <paramref name="collect"/>).</summary>
    public async Task<ServerStats> StatsAsync(bool collect = false)
    {
        await _process.StandardInput.WriteLineAsync(collect ? "gc" : "stats");
        await _process.StandardInput.FlushAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        string line = await _process.StandardOutput.ReadLineAsync(timeout.Token)
            ?? throw new InvalidOperationException($"{Name} exited.");
        string[] f = line.Split(' ');
        long N(int i) => long.Parse(f[i], CultureInfo.InvariantCulture);
        // A baseline build older than the committed figure, and the native anchor, print six counters.
        return new ServerStats(N(1), N(2), N(3), N(4), N(5), N(6), ReadRssKiB(), f.Length > 7 ? N(7) : 0);
    }

    /// <summary>What the child's flood routes have done: messages its slow handler finished and payload bytes
    /// its firehose sends accepted (this build's children only: older ones do not know the command).</summary>
    public async Task<(long SlowMessages, long FirehoseBytes)> FloodCountsAsync()
    {
        await _process.StandardInput.WriteLineAsync("flood");
        await _process.StandardInput.FlushAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        string line = await _process.StandardOutput.ReadLineAsync(timeout.Token)
            ?? throw new InvalidOperationException($"{Name} exited.");
        string[] f = line.Split(' ');
        if (f.Length < 3 || f[0] != "flood") throw new InvalidOperationException($"{Name} answered '{line}' to flood.");
        return (long.Parse(f[1], CultureInfo.InvariantCulture), long.Parse(f[2], CultureInfo.InvariantCulture));
    }

    /// <summary>VmRSS of the child from /proc, in KiB.</summary>
    public long ReadRssKiB() => ReadStatusKiB("VmRSS:");

    /// <summary>VmHWM of the child from /proc (the peak resident set since it started), in KiB.</summary>
    public long ReadPeakRssKiB() => ReadStatusKiB("VmHWM:");

    private long ReadStatusKiB(string field)
    {
        foreach (string line in File.ReadLines($"/proc/{_process.Id}/status"))
        {
            if (line.StartsWith(field, StringComparison.Ordinal))
                return long.Parse(line.AsSpan(field.Length).Trim().TrimEnd("kB").Trim(), CultureInfo.InvariantCulture);
        }
        return 0;
    }

    public void Dispose()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.StandardInput.WriteLine("quit");
                _process.StandardInput.Flush();
                if (!_process.WaitForExit(3000)) _process.Kill(entireProcessTree: true);
            }
        }
        catch (Exception ex) when (ex is IOException or InvalidOperationException)
        {
            // Already gone.
        }
        finally
        {
            Kill(_process);
        }
    }

    /// <summary>Kills every child still running (on exit, on Ctrl+C, on failure).</summary>
    public static void KillAll()
    {
        Process[] all;
        lock (Running) all = [.. Running];
        foreach (Process process in all) Kill(process);
    }

    private static void Kill(Process process)
    {
        try
        {
            if (!process.HasExited) process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // Exited meanwhile.
        }
        lock (Running) Running.Remove(process);
        process.Dispose();
    }
}

/// <summary>A server child's counters at one moment.</summary>
internal readonly record struct ServerStats(long Gen0, long Gen1, long Gen2, long AllocatedBytes, long HeapBytes,
    long CpuMs, long RssKiB, long GcCommittedBytes)
{
    public static ServerStats operator -(ServerStats a, ServerStats b) => new(a.Gen0 - b.Gen0, a.Gen1 - b.Gen1,
        a.Gen2 - b.Gen2, a.AllocatedBytes - b.AllocatedBytes, a.HeapBytes - b.HeapBytes, a.CpuMs - b.CpuMs, a.RssKiB - b.RssKiB,
        a.GcCommittedBytes - b.GcCommittedBytes);
}
