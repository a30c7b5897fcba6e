using WsServer.Collections;
using WsServer.Transport;

namespace WsServer.Connections;

/// <summary>Queued bytes: a pooled array of the queue's own, or a frame shared with others.</summary>
internal readonly record struct Segment(byte[] Buffer, int Length, bool Pooled);

/// <summary>
/// A send queue's segments, in order. The first is held inline: most writes are one segment (a reply, a
/// broadcast frame), so they need no list, and an empty queue holds nothing at all. From the second
/// segment on (a burst, a frame larger than a segment, shared frames among the connection's own) the
/// rest go to lists rented from a shared pool, given back when the queue is released; with them comes
/// the batch list the writer hands the transport, so a one-segment write needs none either.
/// </summary>
/// <remarks>A mutable struct: held in the send queue's and the writer's fields and changed only through them, never copied
/// except to hand the queue over whole (the copied-from field is then reset).</remarks>
internal struct SegmentQueue
{
    private Segment _first;
    private Spill? _rest;

    /// <summary>True when no segment is queued and no list is held.</summary>
    public readonly bool IsEmpty => _first.Buffer is null && _rest is null;

    public readonly int Count => _first.Buffer is null ? 0 : 1 + (_rest?.Segments.Count ?? 0);

    /// <summary>The oldest segment; <see cref="Count"/> must be at least one.</summary>
    public readonly Segment First => _first;

    public void Add(Segment segment)
    {
        if (_first.Buffer is null) _first = segment;
        else (_rest ??= Spill.Rent()).Segments.Add(segment);
    }

    /// <summary>Moves every segment, in order, to the end of <paramref name="target"/>; this queue is empty after.</summary>
    public void MoveTo(ref SegmentQueue target)
    {
        if (_first.Buffer is not null) target.Add(_first);
        if (_rest is not null)
        {
            foreach (Segment segment in _rest.Segments) target.Add(segment);
            Spill.Return(_rest);
        }
        this = default;
    }

    /// <summary>Up to <see cref="IBatchWriter.MaxSegments"/> segments from <paramref name="start"/>, as
    /// one batch of <paramref name="bytes"/> bytes, valid until the next call or <see cref="Release"/>.
    /// Only for a queue of two segments or more (a single one is written without a list).</summary>
    public readonly List<ArraySegment<byte>> Batch(int start, out int bytes)
    {
        Spill rest = _rest!;
        List<ArraySegment<byte>> batch = rest.Batch;
        batch.Clear();
        bytes = 0;
        int end = Math.Min(1 + rest.Segments.Count, start + IBatchWriter.MaxSegments);
        for (int i = start; i < end; i++)
        {
            Segment segment = i == 0 ? _first : rest.Segments[i - 1];
            batch.Add(new ArraySegment<byte>(segment.Buffer, 0, segment.Length));
            bytes += segment.Length;
        }
        return batch;
    }

    /// <summary>Returns the pooled arrays and the lists, and empties the queue.</summary>
    public void Release()
    {
        if (_first.Pooled) SegmentPool.Return(_first.Buffer);
        if (_rest is not null)
        {
            foreach (Segment segment in _rest.Segments)
            {
                if (segment.Pooled) SegmentPool.Return(segment.Buffer);
            }
            Spill.Return(_rest);
        }
        this = default;
    }

    /// <summary>The segments after the first, and the batch list they are written through: kept by the
    /// server between uses, so a burst allocates nothing once warm, and held by a connection only while
    /// it has more than one segment queued or being written.</summary>
    private sealed class Spill
    {
        // Enough for every connection of a large fan-out to have a burst at once (a broadcast to 10,000
        // with four in flight needs 10,000: with 1,024 kept it allocated 56 B per delivery); a pooled
        // spill is a few hundred bytes, and only a burst that needed them leaves them here.
        private const int MaxPooled = 16 * 1024;
        // A slow consumer's long queue is not kept: a pooled list stays small (4 KiB of segments at most).
        private const int MaxRetainedSegments = 256;

        private static readonly BoundedPool<Spill> s_pool = new(MaxPooled);

        public readonly List<Segment> Segments = [];
        public readonly List<ArraySegment<byte>> Batch = [];

        public static Spill Rent() => s_pool.TryRent(out Spill? spill) ? spill : new Spill();

        public static void Return(Spill spill)
        {
            // Cleared first: a pooled list must not keep anyone's frames alive.
            spill.Segments.Clear();
            spill.Batch.Clear();
            if (spill.Segments.Capacity <= MaxRetainedSegments) s_pool.TryReturn(spill);
        }
    }
}
