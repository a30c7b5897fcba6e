using System.Buffers;

namespace WsServer.Protocol.Tests.TestSupport;

/// <summary>Builds <see cref="ReadOnlySequence{T}"/>s split into several segments, so every parser
/// test can run over every way its input may arrive.</summary>
public static class SegmentedSequence
{
    /// <summary>One segment per given chunk.</summary>
    public static ReadOnlySequence<byte> Create(params byte[][] chunks)
    {
        if (chunks.Length == 0) return ReadOnlySequence<byte>.Empty;
        var first = new Segment(chunks[0], 0);
        Segment last = first;
        for (int i = 1; i < chunks.Length; i++) last = last.Append(chunks[i]);
        return new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
    }

    /// <summary>The whole input, then every two-segment split, then one byte per segment; each over a copy of
    /// the input, since a session reading in place writes to it.</summary>
    public static IEnumerable<ReadOnlySequence<byte>> AllSplits(byte[] bytes)
    {
        yield return new ReadOnlySequence<byte>(bytes.ToArray());
        for (int i = 1; i < bytes.Length; i++)
            yield return Create(bytes[..i], bytes[i..]);
        if (bytes.Length > 2)
            yield return Create(bytes.Select(b => new[] { b }).ToArray());
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory, long runningIndex)
        {
            Memory = memory;
            RunningIndex = runningIndex;
        }

        public Segment Append(ReadOnlyMemory<byte> memory)
        {
            var next = new Segment(memory, RunningIndex + Memory.Length);
            Next = next;
            return next;
        }
    }
}
