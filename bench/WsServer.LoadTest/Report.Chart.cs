using WsServer.LoadTest.Charting;

namespace WsServer.LoadTest;

/// <summary>The chart (<c>--chart FILE.svg</c>): the same medians as the tables, one group per load.</summary>
internal sealed partial class Report
{
    private readonly List<ChartGroup> _chart = [];

    /// <summary>Charts a load's server CPU per operation (<paramref name="unit"/> null) or, for a load whose
    /// figure is itself a cost (memory, latency), that figure in <paramref name="unit"/>.</summary>
    private void Chart(string load, Row row, string? measure = null, string? unit = null)
    {
        Func<Sample, double> figure = unit is null ? s => s.ServerMicrosecondsPerOperation : s => s.Value;
        var group = new ChartGroup(load, measure ?? "server CPU per operation", unit ?? "µs",
            Median(row.WsServer.Select(figure)), Median(row.Other.Select(figure)))
        {
            Anchor = row.Anchor is { } anchor ? Median(anchor.Select(figure)) : null,
        };
        // A second table of the same rows (echo's bytes after its messages) adds nothing.
        if (!_chart.Any(g => g.Load == group.Load && g.Measure == group.Measure)) _chart.Add(group);
    }

    private void WriteChart(string path, string command, string machine)
    {
        string subtitle = $"Each load's medians as a ratio of {Other}'s (= 1.0): shorter is better";
        File.WriteAllText(path, SvgChart.Render($"WsServer against {Other}{(_chart.Any(g => g.Anchor is not null) ? " and uWebSockets" : "")}, {_started:yyyy-MM-dd HH:mm} UTC", subtitle, Other,
            _chart, [$"Command: {command}", $"Machine: {machine}"]));
        Console.Error.WriteLine($"chart: {path} ({_chart.Count} loads)");
    }
}
