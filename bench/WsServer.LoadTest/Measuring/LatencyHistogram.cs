using System.Diagnostics;
using System.Numerics;

namespace WsServer.LoadTest.Measuring;

/// <summary>Round-trip times counted in buckets about 3 % wide, so recording allocates nothing and takes one
/// interlocked increment, from any number of connections at once.</summary>
/// <remarks>The HdrHistogram layout: nanoseconds below 64 have a bucket each; above, each power of two is split
/// into 32 equal buckets, so a bucket is at most 1/32 of its value wide.</remarks>
internal sealed class LatencyHistogram
{
    private const int SubBucketBits = 5;
    private static readonly double NanosecondsPerTick = 1e9 / Stopwatch.Frequency;
    private readonly long[] _counts = new long[64 << SubBucketBits];

    /// <summary>Counts one round trip of <paramref name="ticks"/> (<see cref="Stopwatch"/> ticks).</summary>
    public void Record(long ticks) => Interlocked.Increment(ref _counts[Index((long)(Math.Max(0, ticks) * NanosecondsPerTick))]);

    /// <summary>The number of round trips counted.</summary>
    public long Count => _counts.Sum();

    /// <summary>The value below which <paramref name="quantile"/> of the round trips fall, in µs (the middle of
    /// its bucket); NaN when nothing was counted.</summary>
    public double Percentile(double quantile)
    {
        long total = Count;
        if (total == 0) return double.NaN;
        long rank = Math.Max(1, (long)Math.Ceiling(quantile * total));
        long seen = 0;
        for (int i = 0; i < _counts.Length; i++)
        {
            seen += _counts[i];
            if (seen >= rank) return Middle(i) / 1000.0;
        }
        return Middle(_counts.Length - 1) / 1000.0;
    }

    private static int Index(long nanoseconds)
    {
        if (nanoseconds < 2 << SubBucketBits) return (int)nanoseconds;
        int shift = 63 - BitOperations.LeadingZeroCount((ulong)nanoseconds) - SubBucketBits;
        return (shift << SubBucketBits) + (int)(nanoseconds >> shift);
    }

    private static double Middle(int index)
    {
        if (index < 2 << SubBucketBits) return index;
        int shift = (index >> SubBucketBits) - 1;
        long low = (long)(index - (shift << SubBucketBits)) << shift;
        return low + (1L << shift) / 2.0;
    }
}
