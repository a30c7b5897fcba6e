using System.Globalization;
using System.Reflection;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Parameters;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace WsServer.Benchmarks.Support;

/// <summary>"MB/s": payload bytes per operation (<see cref="IThroughputBenchmark"/>) over the mean time
/// per operation, in decimal megabytes (10^6 bytes) per second.</summary>
/// <remarks>The byte count is read from a fresh instance of the benchmark class with the case's
/// parameters set, so it needs no global setup.</remarks>
public sealed class ThroughputColumn : IColumn
{
    public string Id => nameof(ThroughputColumn);
    public string ColumnName => "MB/s";
    public bool AlwaysShow => true;
    public ColumnCategory Category => ColumnCategory.Custom;
    public int PriorityInCategory => 0;
    public bool IsNumeric => true;
    public UnitType UnitType => UnitType.Dimensionless;
    public string Legend => "Payload throughput: payload bytes per operation / mean, in 10^6 bytes per second";

    public bool IsAvailable(Summary summary) => true;

    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) =>
        GetValue(summary, benchmarkCase, SummaryStyle.Default);

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
    {
        ArgumentNullException.ThrowIfNull(summary);
        ArgumentNullException.ThrowIfNull(benchmarkCase);
        double? meanNs = summary[benchmarkCase]?.ResultStatistics?.Mean;
        long? bytes = BytesPerOperation(benchmarkCase);
        if (meanNs is not > 0 || bytes is null)
            return "-";
        double megabytesPerSecond = bytes.Value / meanNs.Value * 1e9 / 1e6;
        return megabytesPerSecond.ToString("N0", CultureInfo.InvariantCulture);
    }

    private static long? BytesPerOperation(BenchmarkCase benchmarkCase)
    {
        Type type = benchmarkCase.Descriptor.Type;
        if (!typeof(IThroughputBenchmark).IsAssignableFrom(type))
            return null;
        var instance = (IThroughputBenchmark)Activator.CreateInstance(type)!;
        foreach (ParameterInstance parameter in benchmarkCase.Parameters.Items)
        {
            const BindingFlags flags = BindingFlags.Public | BindingFlags.Instance;
            if (type.GetProperty(parameter.Name, flags) is { } property)
                property.SetValue(instance, parameter.Value);
            else
                type.GetField(parameter.Name, flags)?.SetValue(instance, parameter.Value);
        }

        return instance.BytesPerOperation;
    }
}
