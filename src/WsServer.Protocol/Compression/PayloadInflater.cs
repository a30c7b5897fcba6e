using System.Buffers;

namespace WsServer.Protocol.Compression;

/// <summary>Decompresses permessage-deflate payloads (RFC 7692 §7.2.2) incrementally, into output
/// buffers of the caller's size, so the caller can stop a message that inflates past its limit
/// without inflating the rest. Not thread-safe.</summary>
/// <remarks>The zlib state is created when the first compressed bytes arrive. With context takeover
/// it is kept for the life of the connection (the peer's next message may refer to this one's
/// bytes); without, it is borrowed from a shared pool for each message and returned at its end.</remarks>
public sealed class PayloadInflater : IDisposable
{
    private readonly int _windowBits;
    private readonly bool _noContextTakeover;
    private ZStreamHandle? _stream;

    /// <summary>A decompressor with a window of 2^<paramref name="windowBits"/> bytes.</summary>
    /// <param name="windowBits">The peer's agreed window, 8..15 (a larger window is always safe).</param>
    /// <param name="noContextTakeover">The peer starts every message with an empty window.</param>
    public PayloadInflater(int windowBits, bool noContextTakeover)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(windowBits, DeflateParameters.MinWindowBits);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(windowBits, DeflateParameters.MaxWindowBits);
        _windowBits = windowBits;
        _noContextTakeover = noContextTakeover;
    }

    /// <summary>The four bytes a sync flush ends with, which the sender removed and the receiver
    /// appends to the last frame's payload before inflating (§7.2.2).</summary>
    public static ReadOnlySpan<byte> FlushTail => [0x00, 0x00, 0xFF, 0xFF];

    /// <summary>True while this decompressor holds zlib state of its own.</summary>
    public bool HoldsState => _stream is not null;

    /// <summary>Inflates from <paramref name="input"/> into <paramref name="output"/>.</summary>
    /// <returns>Done when progress was made or none is possible (call again while <paramref name="written"/>
    /// fills the output or input remains); InvalidData when the data is not valid DEFLATE.</returns>
    public OperationStatus Inflate(ReadOnlySpan<byte> input, Span<byte> output, out int consumed, out int written)
    {
        _stream ??= _noContextTakeover ? ZStreamPool.RentInflater(_windowBits) : ZStreamHandle.CreateInflater(_windowBits);
        int status = _stream.Run(input, output, ZStreamHandle.SyncFlush, out consumed, out written);
        if (status == ZStreamHandle.StreamEnd)
        {
            // §7.2.3.3 allows a block with BFINAL set; the next bytes start a new DEFLATE stream.
            _stream.Reset();
            return OperationStatus.Done;
        }
        return status is ZStreamHandle.Ok or ZStreamHandle.BufError ? OperationStatus.Done : OperationStatus.InvalidData;
    }

    /// <summary>Ends a message whose tail was inflated: without context takeover the state is
    /// returned to the shared pool.</summary>
    public void EndMessage()
    {
        if (_noContextTakeover) ReturnState();
    }

    /// <summary>Frees the zlib state (a half-read message's state is not shared).</summary>
    public void Dispose()
    {
        _stream?.Dispose();
        _stream = null;
    }

    private void ReturnState()
    {
        if (_stream is null) return;
        ZStreamPool.ReturnInflater(_stream, _windowBits);
        _stream = null;
    }
}
