using System.Diagnostics;
using System.Globalization;

namespace WsServer.LoadTest.Machine;

/// <summary>The CPU the server children run on and the CPU this tool (the load generator) runs on, so that
/// neither takes the other's core: each child is started as <c>taskset -c SERVER dotnet ...</c>, and the tool
/// restarts itself once as <c>taskset -c CLIENT dotnet ...</c> before it measures anything.</summary>
/// <remarks>Setting <see cref="Process.ProcessorAffinity"/> from inside the running tool is not enough on Linux:
/// it calls sched_setaffinity on the process id, which pins the main thread only, while the thread pool's
/// workers, the GC's and the socket engine's threads keep every core (checked in /proc/self/task). Under
/// taskset every thread is pinned from the start, and the runtime sizes itself for the one CPU it sees
/// (<see cref="Environment.ProcessorCount"/> is 1, so it does not spin-wait for a second core it lacks). The
/// same holds for the children, whose runtime then uses Workstation GC whatever <c>DOTNET_gcServer</c> says.</remarks>
internal sealed record CorePinning(int ServerCpu, int ClientCpu)
{
    // Set in the restarted tool, so that it does not restart itself again.
    private const string PinnedVariable = "WSSERVER_LOADTEST_PINNED";

    private static readonly Lazy<string?> TasksetPath = new(FindTaskset);

    /// <summary>The second CPU this process may run on for the servers and the first for the tool (<c>1,0</c>
    /// on a 2-core machine); null (not pinned) with a single CPU.</summary>
    public static CorePinning? Default { get; } = AllowedCpus("/proc/self/status") is [int client, int server, ..]
        ? new CorePinning(server, client)
        : null;

    /// <summary>True in the tool restarted under taskset.</summary>
    public static bool IsRestartedPinned => Environment.GetEnvironmentVariable(PinnedVariable) == "1";

    /// <summary>taskset's full path; null when it is not installed.</summary>
    public static string? Taskset => TasksetPath.Value;

    /// <summary>The message for a machine without taskset.</summary>
    public const string TasksetMissing =
        "--pin needs taskset, which is in the package util-linux (apt-get install util-linux); or pass --pin off.";

    /// <summary>Parses <c>SERVER,CLIENT</c> (two different CPU numbers) or <c>off</c> (null).</summary>
    public static CorePinning? Parse(string value)
    {
        if (value == "off") return null;
        string[] parts = value.Split(',');
        if (parts.Length != 2 || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out int server)
            || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out int client))
            throw new ArgumentException($"--pin is SERVER,CLIENT (two CPU numbers, e.g. 1,0) or off, not '{value}'.");
        if (server == client) throw new ArgumentException("--pin: the server and the client need different CPUs.");
        return new CorePinning(server, client);
    }

    /// <summary>Fails unless both CPUs are ones this process may run on (checked before the restart).</summary>
    public void Validate()
    {
        int[] allowed = AllowedCpus("/proc/self/status");
        if (!allowed.Contains(ServerCpu) || !allowed.Contains(ClientCpu))
            throw new ArgumentException($"--pin {ServerCpu},{ClientCpu}: this process may run on CPUs {string.Join(',', allowed)} only.");
    }

    /// <summary>Runs this tool again under <c>taskset -c CLIENT</c> with the same arguments (and <c>--pin</c>
    /// made explicit), sharing this console, and returns its exit code.</summary>
    public async Task<int> RunRestartedAsync(string[] args)
    {
        var start = new ProcessStartInfo(Taskset ?? throw new InvalidOperationException(TasksetMissing))
        {
            UseShellExecute = false,
        };
        foreach (string arg in (string[])["-c", Cpu(ClientCpu), "dotnet", typeof(CorePinning).Assembly.Location, .. args])
            start.ArgumentList.Add(arg);
        if (!args.Contains("--pin"))
        {
            start.ArgumentList.Add("--pin");
            start.ArgumentList.Add($"{Cpu(ServerCpu)},{Cpu(ClientCpu)}");
        }
        start.Environment[PinnedVariable] = "1";
        using Process tool = Process.Start(start) ?? throw new InvalidOperationException("Could not restart under taskset.");
        // Ctrl+C reaches the restarted tool too (same process group); it stops its children and exits, and this
        // process waits for that. A SIGTERM to this process alone takes the restarted tool's tree with it.
        Console.CancelKeyPress += (_, e) => e.Cancel = true;
        AppDomain.CurrentDomain.ProcessExit += (_, _) => Kill(tool);
        await tool.WaitForExitAsync();
        return tool.ExitCode;
    }

    /// <summary>Fails unless every thread of this process may run on CLIENT only (after the restart).</summary>
    public void CheckThisProcess()
    {
        foreach (string task in Directory.EnumerateDirectories("/proc/self/task"))
        {
            int[] allowed;
            try
            {
                allowed = AllowedCpus(Path.Combine(task, "status"));
            }
            catch (IOException)
            {
                continue; // The thread ended meanwhile.
            }
            if (allowed is not [int cpu] || cpu != ClientCpu)
                throw new InvalidOperationException($"Thread {Path.GetFileName(task)} of the load generator may run on CPUs "
                    + $"{string.Join(',', allowed)}, not only {ClientCpu}.");
        }
    }

    /// <summary>The CPUs a process or thread may run on, from the <c>Cpus_allowed_list</c> of its
    /// /proc status file (<c>0-3,6</c>); empty where /proc is missing.</summary>
    public static int[] AllowedCpus(string statusPath)
    {
        if (!File.Exists(statusPath)) return [];
        string? line = File.ReadLines(statusPath).FirstOrDefault(l => l.StartsWith("Cpus_allowed_list:", StringComparison.Ordinal));
        if (line is null) return [];
        var cpus = new List<int>();
        foreach (string range in line["Cpus_allowed_list:".Length..].Trim().Split(',', StringSplitOptions.RemoveEmptyEntries))
        {
            string[] ends = range.Split('-');
            int first = int.Parse(ends[0], CultureInfo.InvariantCulture);
            int last = ends.Length > 1 ? int.Parse(ends[1], CultureInfo.InvariantCulture) : first;
            for (int cpu = first; cpu <= last; cpu++) cpus.Add(cpu);
        }
        return [.. cpus];
    }

    private static string Cpu(int cpu) => cpu.ToString(CultureInfo.InvariantCulture);

    private static string? FindTaskset() =>
        (Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin:/bin").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, "taskset"))
            .FirstOrDefault(File.Exists);

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
    }
}
