using System.Globalization;

namespace WsServer.LoadTest;

/// <summary>One line of the headline table: a load, its two servers' rounds, and how to read them.
/// <see cref="Load"/> names the unit; <see cref="ShowsCost"/> is false where CPU per operation and the client's
/// CPU say nothing (memory, or a second metric of the line above).</summary>
internal sealed record LoadRow(string Load, Row Row, bool HigherIsBetter = true)
{
    public bool ShowsCost { get; init; } = true;

    /// <summary>Where <see cref="ShowsCost"/> is false, what the chart calls the figure and its unit.</summary>
    public (string Measure, string Unit) Figure { get; init; } = ("value", "");

    public string? Note { get; init; }
}

/// <summary>The CPU columns, and the headline table.</summary>
internal sealed partial class Report
{
    /// <summary>Adds the headline table: load | WsServer | Kestrel | ratio | server CPU/op of each | client CPU % | notes.</summary>
    public void LoadTable(string title, IEnumerable<LoadRow> rows)
    {
        LoadRow[] all = [.. rows];
        bool anchored = all.Any(r => r.Row.Anchor is not null);
        Line();
        Line($"### {title}");
        Line();
        Line($"| load | WsServer | {Other} |{(anchored ? " uWebSockets |" : "")} ratio | server CPU/op WsServer | server CPU/op {Other} |"
            + $"{(anchored ? " server CPU/op uWebSockets | **WsServer ÷ uWebSockets** |" : "")} client CPU % (WsServer / {Other} rounds) | notes |");
        Line($"|---|---:|---:|{(anchored ? "---:|" : "")}---:|---:|---:|{(anchored ? "---:|---:|" : "")}---:|---|");
        foreach (LoadRow load in all)
        {
            Row row = load.Row;
            double ws = Median(row.WsServer.Select(s => s.Value));
            double other = Median(row.Other.Select(s => s.Value));
            double ratio = load.HigherIsBetter ? ws / other : other / ws;
            var notes = new List<string>();
            if (load.ShowsCost)
            {
                notes.Add($"server CPU {Percent(row.WsServer, s => s.Usage.ServerCpuPercent)} / {Percent(row.Other, s => s.Usage.ServerCpuPercent)} of one core");
                notes.Add($"kernel ceiling {KernelCeiling(row).ToString("0.00", CultureInfo.InvariantCulture)}x");
                if (Syscalls(row.WsServer) is { } wsCalls && Syscalls(row.Other) is { } otherCalls)
                    notes.Add($"syscalls/op {wsCalls} / {otherCalls}{(row.Anchor is { } a && Syscalls(a) is { } anchorCalls ? $" / {anchorCalls}" : "")}");
                if (IsClientBound(row)) notes.Add("**client-bound**: the rates are floors, not the servers' capacity");
                else if (Below(row.WsServer) || Below(row.Other))
                    notes.Add($"**not saturated**: a server under {SaturatedPercent} % of its core with the client not bound "
                        + "(other load on the machine?)");
                WarnIfClientBound(load.Load, row);
            }
            if (load.Note is not null) notes.Add(load.Note);
            if (load.ShowsCost) Chart(row.Case, row);
            else Chart(row.Case, row, load.Figure.Measure, load.Figure.Unit);
            Line($"| {load.Load} | {Num(ws)} | {Num(other)} |{(anchored ? $" {AnchorValue(row)} |" : "")} **{ratio:0.00}** "
                + $"| {(load.ShowsCost ? CpuPerOp(row.WsServer) : "–")} | {(load.ShowsCost ? CpuPerOp(row.Other) : "–")} "
                + (anchored ? $"| {(load.ShowsCost && row.Anchor is { } anchor ? CpuPerOp(anchor) : "–")} | {AgainstAnchor(load)} " : "")
                + $"| {(load.ShowsCost ? ClientCpu(row) : "–")} | {string.Join("; ", notes)} |");
        }
        Line();
        Line($"Ratio: WsServer/{Other} for rates, {Other}/WsServer for latency and memory, so above 1 always means WsServer is better. "
            + "Server CPU/op: the child's CPU time (user + system) over the window divided by the operations in it "
            + "(messages echoed, upgrades, deliveries), median of the rounds; in brackets the share of it spent in the kernel "
            + "(system time: syscalls, the TCP stack, loopback delivery to the client), which bounds what any user-space change can win: "
            + $"the kernel ceiling in the notes is {Other}'s CPU/op over WsServer's kernel time alone, the CPU ratio WsServer would reach "
            + "with no user time at all."
            + (anchored ? " WsServer ÷ uWebSockets: WsServer's server CPU per operation over uWebSockets' (for memory and latency, "
                + "WsServer's figure over uWebSockets'), so below 1 means WsServer is ahead." : ""));
        Flush();
    }

    private static string AnchorValue(Row row) => row.Anchor is { } anchor ? Num(Median(anchor.Select(s => s.Value))) : "–";

    /// <summary>WsServer's cost over the anchor's: CPU per operation, or the figure itself where it is a cost.</summary>
    private static string AgainstAnchor(LoadRow load)
    {
        if (load.Row.Anchor is not { } anchor) return "–";
        Func<Sample, double> cost = load.ShowsCost ? s => s.ServerMicrosecondsPerOperation : s => s.Value;
        double ratio = Median(load.Row.WsServer.Select(cost)) / Median(anchor.Select(cost));
        return $"**{ratio.ToString("0.00", CultureInfo.InvariantCulture)}**";
    }

    // Under this, a server child did not use its core, though the client did not hold it back.
    private const int SaturatedPercent = 90;

    private static bool Below(IReadOnlyList<Sample> samples) =>
        Median(samples.Select(s => s.Usage.ServerCpuPercent)) < SaturatedPercent;

    private static double KernelCeiling(Row row)
    {
        double ws = Median(row.WsServer.Select(s => s.ServerMicrosecondsPerOperation * s.Usage.ServerKernelPercent / 100));
        return Median(row.Other.Select(s => s.ServerMicrosecondsPerOperation)) / ws;
    }

    private static string CpuPerOp(IReadOnlyList<Sample> samples)
    {
        double us = Median(samples.Select(s => s.ServerMicrosecondsPerOperation));
        double kernel = Median(samples.Select(s => s.Usage.ServerKernelPercent));
        return double.IsNaN(us) ? "–"
            : $"{us.ToString(us >= 100 ? "0" : "0.00", CultureInfo.InvariantCulture)} µs ({kernel.ToString("0", CultureInfo.InvariantCulture)} % kernel)";
    }

    /// <summary>The median system calls per operation, with the receives and sends among them; null when not counted.</summary>
    private static string? Syscalls(IReadOnlyList<Sample> samples)
    {
        var counted = samples.Select(s => s.SyscallsPerOperation).OfType<(double All, double Receives, double Sends)>().ToList();
        if (counted.Count == 0) return null;
        string F(Func<(double All, double Receives, double Sends), double> pick) =>
            Median(counted.Select(pick)).ToString("0.00", CultureInfo.InvariantCulture);
        return $"{F(c => c.All)} ({F(c => c.Receives)} recv, {F(c => c.Sends)} send)";
    }

    private static string Percent(IReadOnlyList<Sample> samples, Func<Sample, double> percent) =>
        $"{Median(samples.Select(percent)).ToString("0", CultureInfo.InvariantCulture)} %";

    private string ClientCpu(Row row) =>
        $"{Percent(row.WsServer, s => s.Usage.ClientCpuPercent)} / {Percent(row.Other, s => s.Usage.ClientCpuPercent)}";

    private bool IsClientBound(Row row) => ClientBound(row.WsServer) || ClientBound(row.Other);

    private bool ClientBound(IReadOnlyList<Sample> samples) =>
        Median(samples.Select(s => s.Usage.ClientCpuPercent)) >= ClientBoundPercent * ClientCores;

    private void WarnIfClientBound(string name, Row row)
    {
        if (!IsClientBound(row)) return;
        Console.Error.WriteLine($"warning: {name}: the load generator used {ClientCpu(row)} of its "
            + $"{(ClientCores == 1 ? "core" : $"{ClientCores} cores")} (WsServer / {Other} rounds): client-bound, the rates are floors");
    }
}
