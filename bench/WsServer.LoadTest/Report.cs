using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using WsServer.LoadTest.Measuring;
using WsServer.LoadTest.Servers;

namespace WsServer.LoadTest;

/// <summary>One measurement of one server: the metric, what the server process and this tool did meanwhile
/// (CPU, GC counts, bytes allocated) and how many operations (messages, upgrades, deliveries) that was.</summary>
internal sealed record Sample(double Value, Usage Usage, long Operations)
{
    public ServerStats Server => Usage.Server;

    /// <summary>The server's CPU time per operation, in µs.</summary>
    public double ServerMicrosecondsPerOperation => Usage.ServerMicrosecondsPer(Operations);

    /// <summary>The server's system calls per operation (all, receives, sends); null when not counted.</summary>
    public (double All, double Receives, double Sends)? SyscallsPerOperation => Usage.Syscalls?.Per(Operations);
}

/// <summary>One line of a table: a case measured on both servers over the same interleaved rounds;
/// <see cref="Other"/> is Kestrel or the baseline build.</summary>
internal sealed record Row(string Case, IReadOnlyList<Sample> WsServer, IReadOnlyList<Sample> Other)
{
    /// <summary>The uWebSockets anchor's rounds (<c>--uws</c>); null when it was not run.</summary>
    public IReadOnlyList<Sample>? Anchor { get; init; }
}

/// <summary>The markdown report: a header with the date, the pinning and the method, then the tables (medians over
/// the rounds, the ratio WsServer/Kestrel or WsServer/baseline oriented so that above 1 means WsServer, this
/// build, is better), then the command and the machine.</summary>
internal sealed partial class Report
{
    private readonly StringBuilder _markdown = new();
    private readonly LoadOptions _options;
    private readonly string[] _args;
    private readonly DateTime _started = DateTime.UtcNow;

    public Report(LoadOptions options, string[] args)
    {
        _options = options;
        _args = args;
        Other = options.Baseline is null ? "Kestrel" : "baseline";
        ClientCores = options.Pin is null ? Environment.ProcessorCount : 1;
        Line($"## Load test, {_started:yyyy-MM-dd HH:mm} UTC");
        Line();
        Line(options.Pin is { } pin
            ? $"- Pinning: each server child on CPU {pin.ServerCpu} (`taskset -c {pin.ServerCpu} dotnet ...`), the load generator on "
                + $"CPU {pin.ClientCpu} (restarted under `taskset -c {pin.ClientCpu}`, every thread checked at start); a process that sees one "
                + "CPU gets Workstation GC whatever `--gc` says"
            : $"- Pinning: none (`--pin off`): the server children and the load generator share all {Environment.ProcessorCount} cores");
        if (options.Baseline is { } dll)
            Line($"- Baseline: `dotnet {dll} serve-wsserver` (another build's WsServer) in place of Kestrel; "
                + "WsServer is this build");
        if (options.WsServerInAspNetCore)
            Line("- WsServer side: `serve-aspnetcore`, WsServer's handler inside ASP.NET Core through WsServer.AspNetCore "
                + "(Kestrel accepts and upgrades, with the same Kestrel settings as the Kestrel child; WsServer runs the codec)");
        // The flood scenario runs once per server and says how in its own table.
        if (options.Scenario != "flood")
        {
            Line($"- Rounds: {options.Rounds} per case, interleaved (WsServer, {Other}, then {Other}, WsServer, ...), "
                + $"{options.DurationSeconds:0.#} s measured after {options.WarmupSeconds:0.#} s warm-up; medians shown");
            Line("- CPU: user + system time of each process over the measured window, from /proc (10 ms ticks); server CPU/op = "
                + "the child's CPU time / operations; client CPU % = the load generator's CPU time / wall time, of one core; "
                + $"a case whose client CPU reaches {ClientBoundPercent} % of the client's {(ClientCores == 1 ? "core" : $"{ClientCores} cores")} "
                + "is marked client-bound (its rate is then a floor, not the server's capacity)");
            Line("- alloc/op and GCs are the server process's own counters over the measured window (median round)");
        }
        Flush();
    }

    /// <summary>The client CPU, as a percentage of the cores the load generator may use, from which a case is client-bound.</summary>
    public const int ClientBoundPercent = 90;

    /// <summary>The cores the load generator may use: 1 when pinned.</summary>
    public int ClientCores { get; }

    /// <summary>What WsServer is compared with, as the tables name it: Kestrel or baseline.</summary>
    public string Other { get; }

    /// <summary>Adds a table. <paramref name="higherIsBetter"/> orients the ratio.</summary>
    public void Table(string title, string unit, bool higherIsBetter, IEnumerable<Row> rows, string? note = null)
    {
        Line();
        Line($"### {title}");
        Line();
        if (note is not null)
        {
            Line(note);
            Line();
        }
        string ratio = higherIsBetter ? $"WsServer/{Other}" : $"{Other}/WsServer";
        Line($"| case | WsServer ({unit}) | {Other} ({unit}) | ratio {ratio} (>1 = WsServer better) | WsServer CPU/op | {Other} CPU/op "
            + $"| client CPU % | WsServer alloc/op | {Other} alloc/op | WsServer GCs 0/1/2 | {Other} GCs 0/1/2 |");
        Line("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (Row row in rows)
        {
            double ws = Median(row.WsServer.Select(s => s.Value));
            double other = Median(row.Other.Select(s => s.Value));
            double r = higherIsBetter ? ws / other : other / ws;
            Line($"| {row.Case} | {Num(ws)} | {Num(other)} | **{r:0.00}** | {CpuPerOp(row.WsServer)} | {CpuPerOp(row.Other)} "
                + $"| {ClientCpu(row)}{(IsClientBound(row) ? " client-bound" : "")} | {Alloc(row.WsServer)} | {Alloc(row.Other)} "
                + $"| {Gcs(row.WsServer)} | {Gcs(row.Other)} |");
            WarnIfClientBound(row.Case, row);
            if (higherIsBetter) Chart(row.Case, row);
            else Chart(row.Case, row, title, unit);
        }
        Flush();
    }

    /// <summary>Adds a table of preformatted cells; <paramref name="align"/> has one letter per column,
    /// <c>l</c> (left) or <c>r</c> (right).</summary>
    public void PlainTable(string title, string? note, IReadOnlyList<string> header, IEnumerable<IReadOnlyList<string>> rows,
        string align)
    {
        Line();
        Line($"### {title}");
        Line();
        if (note is not null)
        {
            Line(note);
            Line();
        }
        Line($"| {string.Join(" | ", header)} |");
        Line($"|{string.Concat(header.Select((_, i) => i < align.Length && align[i] == 'r' ? "---:|" : "---|"))}");
        foreach (IReadOnlyList<string> row in rows) Line($"| {string.Join(" | ", row)} |");
        Flush();
    }

    /// <summary>Adds the command and the machine, prints the rest and, with <c>--out</c>, appends the report to a file;
    /// with <c>--chart</c>, writes the chart.</summary>
    public void Finish()
    {
        string command = $"dotnet run -c Release --project bench/WsServer.LoadTest -- {string.Join(' ', _args)}";
        string machine = $"{CpuModel()}, {MachineCores()} logical cores, {RuntimeInformation.OSDescription}";
        Line();
        Line($"- Command: `{command}`");
        Line($"- Machine: {machine}");
        Line($"- Runtime: {RuntimeInformation.FrameworkDescription}; both servers are child processes of the tool "
            + $"with {(_options.ServerGc ? "Server" : "Workstation")} GC asked for (concurrent), logging at Warning with no scopes captured (as `wsserver`), on 127.0.0.1; "
            + (_options.WsServerInlineIo ? "WsServer with inline socket completions (as `wsserver` runs its built-in handlers), Kestrel with the runtime's default"
                : "both with the runtime's default socket completions (thread pool)")
            + (_options.WsServerEpoll ? "; WsServer on its epoll transport" : "; WsServer on .NET's socket engine")
            + "; WsServer tiers up with no call-counting delay"
            + (_options.WsServerProgramGc ? " and its GC's young generation is at most 1 MiB, in 1 MiB regions," : "")
            + " as the `wsserver` program's runtimeconfig says, Kestrel with the runtime's default"
            + (_options.WsServerProgramGc ? "s" : "; both with the runtime's GC defaults (`--wsserver-gc default`)"));
        Line(_options.Client == ClientDriver.Epoll
            ? "- Load generator: the echo loads' connections and the fan-out's receivers driven by one thread on epoll "
                + "with non-blocking recv/send (`--client epoll`)"
            : "- Load generator: an async pump per connection on the runtime's sockets (`--client async`)");
        Line();
        Flush();
        if (_options.Out is { } path) File.AppendAllText(path, _markdown.ToString());
        if (_options.Chart is { } chart) WriteChart(chart, command, machine);
    }

    public static double Median(IEnumerable<double> values)
    {
        double[] sorted = [.. values.Order()];
        if (sorted.Length == 0) return double.NaN;
        int mid = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }

    private static string Alloc(IReadOnlyList<Sample> samples)
    {
        double perOp = Median(samples.Select(s => s.Operations == 0 ? 0 : (double)s.Server.AllocatedBytes / s.Operations));
        return $"{perOp:0} B";
    }

    // The machine's, not this process's: once pinned, Environment.ProcessorCount is 1.
    private static string MachineCores()
    {
        try
        {
            return File.ReadLines("/proc/cpuinfo").Count(l => l.StartsWith("processor", StringComparison.Ordinal))
                .ToString(CultureInfo.InvariantCulture);
        }
        catch (IOException)
        {
            return Environment.ProcessorCount.ToString(CultureInfo.InvariantCulture);
        }
    }

    private static string Gcs(IReadOnlyList<Sample> samples) =>
        $"{Median(samples.Select(s => (double)s.Server.Gen0)):0}/{Median(samples.Select(s => (double)s.Server.Gen1)):0}/"
        + $"{Median(samples.Select(s => (double)s.Server.Gen2)):0}";

    private static string Num(double v) => v switch
    {
        >= 100 => v.ToString("N0", CultureInfo.InvariantCulture),
        >= 10 => v.ToString("0.0", CultureInfo.InvariantCulture),
        _ => v.ToString("0.00", CultureInfo.InvariantCulture),
    };

    private static string CpuModel()
    {
        try
        {
            string? line = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal));
            return line?[(line.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim() ?? RuntimeInformation.ProcessArchitecture.ToString();
        }
        catch (IOException)
        {
            return RuntimeInformation.ProcessArchitecture.ToString();
        }
    }

    private void Line(string text = "") => _markdown.AppendLine(text);

    private int _printed;

    private void Flush()
    {
        Console.Out.Write(_markdown.ToString(_printed, _markdown.Length - _printed));
        Console.Out.Flush();
        _printed = _markdown.Length;
    }
}
