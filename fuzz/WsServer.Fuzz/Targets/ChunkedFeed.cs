using System.Buffers;

namespace WsServer.Fuzz.Targets;

/// <summary>The unconsumed reads, as one multi-segment sequence (a read per segment, as a pipe hands
/// them out), so parsers meet headers split across segments.</summary>
public sealed class ChunkedFeed
{
    private readonly List<ReadOnlyMemory<byte>> _chunks = [];

    /// <summary>Appends a read.</summary>
    public void Append(ReadOnlyMemory<byte> chunk)
    {
        if (!chunk.IsEmpty)
            _chunks.Add(chunk);
    }

    /// <summary>The unconsumed bytes.</summary>
    public ReadOnlySequence<byte> Sequence()
    {
        if (_chunks.Count == 0)
            return ReadOnlySequence<byte>.Empty;
        if (_chunks.Count == 1)
            return new ReadOnlySequence<byte>(_chunks[0]);
        var first = new Segment(_chunks[0], null);
        Segment last = first;
        for (int i = 1; i < _chunks.Count; i++)
            last = new Segment(_chunks[i], last);
        return new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
    }

    /// <summary>Drops <paramref name="count"/> bytes from the front.</summary>
    public void Consume(long count)
    {
        while (count > 0)
        {
            ReadOnlyMemory<byte> head = _chunks[0];
            if (count < head.Length)
            {
                _chunks[0] = head[(int)count..];
                return;
            }

            count -= head.Length;
            _chunks.RemoveAt(0);
        }
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory, Segment? previous)
        {
            Memory = memory;
            if (previous is not null)
            {
                RunningIndex = previous.RunningIndex + previous.Memory.Length;
                previous.Next = this;
            }
        }
    }
}
