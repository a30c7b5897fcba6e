using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using WsServer.LoadTest.Servers;

namespace WsServer.LoadTest;

/// <summary>One measurement of one server: the metric, what the server process did meanwhile (GC counts,
/// bytes allocated, CPU) and how many operations (messages, upgrades) that was.</summary>
internal sealed record Sample(double Value, ServerStats Server, long Operations);

/// <summary>One line of a table: a case measured on both servers over the same interleaved rounds;
/// <see cref="Other"/> is Kestrel or the baseline build.</summary>
internal sealed record Row(string Case, IReadOnlyList<Sample> WsServer, IReadOnlyList<Sample> Other);

/// <summary>The markdown report: a header with the machine, the command and the date, then a table per
/// scenario with medians over the rounds and the ratio WsServer/Kestrel (or WsServer/baseline) oriented so
/// that above 1 means WsServer (this build) is better.</summary>
internal sealed class Report
{
    private readonly StringBuilder _markdown = new();
    private readonly LoadOptions _options;

    public Report(LoadOptions options, string[] args)
    {
        _options = options;
        Other = options.Baseline is null ? "Kestrel" : "baseline";
        Line($"## Load test, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC");
        Line();
        Line($"- Command: `dotnet run -c Release --project bench/WsServer.LoadTest -- {string.Join(' ', args)}`");
        Line($"- Machine: {CpuModel()}, {Environment.ProcessorCount} logical cores, {RuntimeInformation.OSDescription}");
        Line($"- Runtime: {RuntimeInformation.FrameworkDescription}; both servers are child processes of the tool "
            + $"with {(options.ServerGc ? "Server" : "Workstation")} GC (concurrent), logging at Warning, on 127.0.0.1");
        if (options.Baseline is { } dll)
            Line($"- Baseline: `dotnet {dll} serve-wsserver` (another build's WsServer) in place of Kestrel; "
                + "WsServer is this build");
        // The flood scenario runs once per server and says how in its own table.
        if (options.Scenario != "flood")
        {
            Line($"- Rounds: {options.Rounds} per case, interleaved (WsServer, {Other}, then {Other}, WsServer, ...), "
                + $"{options.DurationSeconds:0.#} s measured after {options.WarmupSeconds:0.#} s warm-up; medians shown");
            Line("- alloc/op and GCs are the server process's own counters over the measured window (median round)");
        }
        Flush();
    }

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
        Line($"| case | WsServer ({unit}) | {Other} ({unit}) | ratio {ratio} (>1 = WsServer better) | WsServer alloc/op | {Other} alloc/op | WsServer GCs 0/1/2 | {Other} GCs 0/1/2 |");
        Line("|---|---:|---:|---:|---:|---:|---:|---:|");
        foreach (Row row in rows)
        {
            double ws = Median(row.WsServer.Select(s => s.Value));
            double other = Median(row.Other.Select(s => s.Value));
            double r = higherIsBetter ? ws / other : other / ws;
            Line($"| {row.Case} | {Num(ws)} | {Num(other)} | **{r:0.00}** | {Alloc(row.WsServer)} | {Alloc(row.Other)} | {Gcs(row.WsServer)} | {Gcs(row.Other)} |");
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

    /// <summary>Prints and, with <c>--out</c>, appends the report to a file.</summary>
    public void Finish()
    {
        Line();
        Flush();
        if (_options.Out is { } path) File.AppendAllText(path, _markdown.ToString());
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
