namespace WsServer.Host.Status;

/// <summary>
/// A histogram of one interval's values in fixed buckets on a log scale, each 4 % wider than the one
/// before, from 1 µs to about 1000 s (values in milliseconds): recording is one interlocked increment, with
/// no lock and no allocation, and a percentile is read to within 4 %. <see cref="TakeInterval"/> swaps in
/// the spare array; a recorder that read the old array just before the swap may count in the next interval.
/// </summary>
internal sealed class LatencyBuckets
{
    private const double Smallest = 0.001;
    private const double Growth = 1.04;
    private const int Count = 530;
    private static readonly double LogGrowth = Math.Log(Growth);

    private long[] _counts = new long[Count];
    private long[] _spare = new long[Count];

    /// <summary>Counts <paramref name="milliseconds"/>.</summary>
    public void Record(double milliseconds)
    {
        int index = milliseconds <= Smallest || double.IsNaN(milliseconds)
            ? 0
            : (int)Math.Min(Count - 1, Math.Ceiling(Math.Log(milliseconds / Smallest) / LogGrowth));
        Interlocked.Increment(ref Volatile.Read(ref _counts)[index]);
    }

    /// <summary>The interval's percentiles (each the upper bound of its bucket), and starts the next
    /// interval; null values when nothing was recorded. Called by one thread at a time.</summary>
    public double?[] TakeInterval(params double[] percentiles)
    {
        ArgumentNullException.ThrowIfNull(percentiles);
        long[] counts = Interlocked.Exchange(ref _counts, _spare);
        long total = 0;
        foreach (long count in counts) total += count;
        var results = new double?[percentiles.Length];
        for (int p = 0; p < percentiles.Length && total > 0; p++)
        {
            long rank = Math.Max(1, (long)Math.Ceiling(percentiles[p] * total));
            long seen = 0;
            for (int i = 0; i < Count; i++)
            {
                seen += counts[i];
                if (seen < rank) continue;
                results[p] = Smallest * Math.Pow(Growth, i);
                break;
            }
        }
        Array.Clear(counts);
        _spare = counts;
        return results;
    }
}
