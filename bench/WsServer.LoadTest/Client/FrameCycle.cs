namespace WsServer.LoadTest.Client;

/// <summary>Encoded frames sent round-robin, laid out back to back once and then again for as many as the
/// longest run, so that any run of up to <c>longestRun</c> consecutive frames, starting at any frame, is one
/// contiguous slice: a connection sends all the frames it owes in one call, and nothing is copied or
/// encoded while the load runs.</summary>
internal sealed class FrameCycle
{
    private readonly byte[] _bytes;
    private readonly int[] _offsets;

    public FrameCycle(IReadOnlyList<byte[]> frames, int longestRun)
    {
        ArgumentOutOfRangeException.ThrowIfZero(frames.Count);
        ArgumentOutOfRangeException.ThrowIfLessThan(longestRun, 1);
        Count = frames.Count;
        int laidOut = Count + longestRun;
        _offsets = new int[laidOut + 1];
        for (int i = 0; i < laidOut; i++) _offsets[i + 1] = _offsets[i] + frames[i % Count].Length;
        _bytes = new byte[_offsets[laidOut]];
        for (int i = 0; i < laidOut; i++) frames[i % Count].CopyTo(_bytes, _offsets[i]);
        LongestRun = longestRun;
        LongestFrame = frames.Max(f => f.Length);
    }

    /// <summary>How many different frames the cycle holds.</summary>
    public int Count { get; }

    /// <summary>The length of the longest frame, in bytes.</summary>
    public int LongestFrame { get; }

    /// <summary>The most frames one <see cref="Take"/> may return.</summary>
    public int LongestRun { get; }

    /// <summary>The next <paramref name="frames"/> frames from <paramref name="next"/> (an index into the
    /// cycle, kept by the caller), which moves past them.</summary>
    public ReadOnlyMemory<byte> Take(ref int next, int frames)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(frames, LongestRun);
        ReadOnlyMemory<byte> run = _bytes.AsMemory(_offsets[next], _offsets[next + frames] - _offsets[next]);
        next = (next + frames) % Count;
        return run;
    }
}
