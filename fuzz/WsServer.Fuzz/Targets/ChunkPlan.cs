namespace WsServer.Fuzz.Targets;

/// <summary>How an input is cut into reads, chosen by its first byte (uWebSockets' makeChunked idea):
/// the low 5 bits 0 mean one read of everything; otherwise reads of 1 to (low 5 bits) bytes, in a
/// pseudo-random sequence seeded by the byte, so splits inside headers, lengths and masking keys and
/// across UTF-8 characters all happen. Bits 5-7 are left to the target for its own options.</summary>
public struct ChunkPlan(byte control)
{
    private uint _state = 0x9E3779B9u ^ control;

    /// <summary>The largest read, or 0 for a single read of everything.</summary>
    public readonly int MaxChunk => control & 0x1F;

    /// <summary>The size of the next read.</summary>
    public int Next()
    {
        if (MaxChunk == 0)
            return int.MaxValue;

        // xorshift32: fast and the same on every run.
        _state ^= _state << 13;
        _state ^= _state >> 17;
        _state ^= _state << 5;
        return 1 + (int)(_state % (uint)MaxChunk);
    }
}
