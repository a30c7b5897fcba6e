namespace WsServer.Fuzz.Targets;

/// <summary>The cheap coverage proxy of the random mode: distinct outcome features (event kinds and
/// their order, close and violation codes, violation reasons, size buckets, final state) seen so far.</summary>
/// <remarks>A feature is a hash of a few values; an input that adds one is kept in the live corpus, the
/// way a coverage-guided fuzzer keeps inputs that reach a new edge. <see cref="None"/> records nothing
/// (AFL measures real coverage itself).</remarks>
public class FeatureSet
{
    private readonly HashSet<int> _seen = [];

    /// <summary>A sink that discards everything.</summary>
    public static FeatureSet None { get; } = new NullFeatureSet();

    /// <summary>Distinct features so far.</summary>
    public int Count => _seen.Count;

    /// <summary>Features first seen since <see cref="ResetNew"/>.</summary>
    public int New { get; private set; }

    public void ResetNew() => New = 0;

    /// <summary>Records one feature: a tag naming what is measured and up to three values.</summary>
    public virtual void Add(int tag, int a = 0, int b = 0, int c = 0)
    {
        if (_seen.Add(HashCode.Combine(tag, a, b, c)))
            New++;
    }

    /// <summary>0 for 0, else 1 + floor(log2(value)): sizes grouped by order of magnitude.</summary>
    public static int Bucket(long value) => value <= 0 ? 0 : 64 - System.Numerics.BitOperations.LeadingZeroCount((ulong)value);

    private sealed class NullFeatureSet : FeatureSet
    {
        public override void Add(int tag, int a = 0, int b = 0, int c = 0)
        {
        }
    }
}
