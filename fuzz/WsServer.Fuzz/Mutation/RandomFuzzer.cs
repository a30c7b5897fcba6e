using System.Diagnostics;
using System.Security.Cryptography;
using WsServer.Fuzz.Targets;

namespace WsServer.Fuzz.Mutation;

/// <summary>What a random run did.</summary>
/// <param name="Executions">Inputs run, seeds included.</param>
/// <param name="Elapsed">Wall time.</param>
/// <param name="Features">Distinct outcome features seen (the coverage proxy, see <see cref="FeatureSet"/>).</param>
/// <param name="CorpusSize">Inputs kept: seeds plus mutants that showed a new feature.</param>
/// <param name="FindingInput">The input that failed, or null.</param>
/// <param name="FindingError">Its exception, or null.</param>
public sealed record FuzzReport(long Executions, TimeSpan Elapsed, int Features, int CorpusSize,
    byte[]? FindingInput, Exception? FindingError)
{
    public double ExecutionsPerSecond => Executions / Math.Max(Elapsed.TotalSeconds, 1e-9);
}

/// <summary>The self-contained mode: mutate the seed corpus at random, keep mutants that show a new
/// feature, stop at the first exception (any exception is a finding) or at the limit.</summary>
/// <remarks>Deterministic for a given seed and iteration limit (the tests rely on it); a time limit
/// makes the count vary.</remarks>
public sealed class RandomFuzzer(IFuzzTarget target, int seed)
{
    private const int MaxCorpus = 20_000;

    /// <summary>Inputs beyond the built-in seeds (files of fuzz/corpus/TARGET, AFL queue entries).</summary>
    public IList<byte[]> ExtraSeeds { get; } = [];

    /// <summary>The input being run; read by a watchdog when a run stops making progress.</summary>
    public byte[] Current { get; private set; } = [];

    /// <summary>Inputs run so far; a watchdog compares it over time to see a hang.</summary>
    public long Executions => Interlocked.Read(ref _executions);

    private long _executions;

    /// <summary>Runs until <paramref name="maxExecutions"/> inputs or <paramref name="duration"/>
    /// passed (whichever is set and comes first), or a finding.</summary>
    public FuzzReport Run(long? maxExecutions, TimeSpan? duration)
    {
        ArgumentNullException.ThrowIfNull(target);
        var random = new Random(seed);
        var mutator = new Mutator(random, target.Dictionary);
        var features = new FeatureSet();
        var corpus = new List<byte[]>();
        var known = new HashSet<string>(StringComparer.Ordinal);
        var clock = Stopwatch.StartNew();
        foreach (byte[] input in target.Seeds.Concat(ExtraSeeds))
        {
            if (!known.Add(Convert.ToHexString(SHA256.HashData(input))))
                continue;
            corpus.Add(input);
            if (Execute(input, features) is { } error)
                return Report(clock, features, corpus, input, error);
        }

        while ((maxExecutions is null || Executions < maxExecutions) && (duration is null || clock.Elapsed < duration))
        {
            byte[] input = mutator.Mutate(corpus[random.Next(corpus.Count)], corpus[random.Next(corpus.Count)]);
            features.ResetNew();
            if (Execute(input, features) is { } error)
                return Report(clock, features, corpus, input, error);
            if (features.New > 0 && corpus.Count < MaxCorpus)
                corpus.Add(input);
        }

        return Report(clock, features, corpus, null, null);
    }

    private Exception? Execute(byte[] input, FeatureSet features)
    {
        Current = input;
        Interlocked.Increment(ref _executions);
        try
        {
            target.Run(input, features);
            return null;
        }
        // Any exception at all is what the fuzzer looks for: it is recorded as the finding.
#pragma warning disable CA1031
        catch (Exception error)
#pragma warning restore CA1031
        {
            return error;
        }
    }

    private FuzzReport Report(Stopwatch clock, FeatureSet features, List<byte[]> corpus, byte[]? input, Exception? error) =>
        new(Executions, clock.Elapsed, features.Count, corpus.Count, input, error);
}
