using System.Buffers;

namespace WsServer.Protocol.Compression;

/// <summary>Compresses whole messages for permessage-deflate (RFC 7692 §7.2.1): raw DEFLATE, flushed
/// to a byte boundary, with the <c>00 00 FF FF</c> tail of the flush removed. Not thread-safe.</summary>
/// <remarks>The zlib state is created at the first message. With context takeover it is kept for the
/// life of the connection (the peer's decompressor relies on the shared window: it cannot be
/// dropped while idle). Without, it is borrowed from a shared pool for each message and returned
/// reset, so the connection holds nothing between messages.</remarks>
public sealed class PayloadDeflater : IDisposable
{
    private const int MinimumChunk = 1024;

    private readonly int _level;
    private readonly int _windowBits;
    private readonly int _memoryLevel;
    private readonly bool _noContextTakeover;
    private ZStreamHandle? _stream;

    /// <summary>A compressor with a window of 2^<paramref name="windowBits"/> bytes.</summary>
    /// <param name="windowBits">The agreed window of this side, 8..15.</param>
    /// <param name="noContextTakeover">Start every message with an empty window (§7.1.1).</param>
    /// <param name="level">zlib's level, 1..9.</param>
    /// <param name="memoryLevel">zlib's memLevel, 1..9.</param>
    public PayloadDeflater(int windowBits, bool noContextTakeover, int level = 6, int memoryLevel = 8)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(windowBits, DeflateParameters.MinWindowBits);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(windowBits, DeflateParameters.MaxWindowBits);
        _windowBits = windowBits;
        _noContextTakeover = noContextTakeover;
        _level = level;
        _memoryLevel = memoryLevel;
    }

    /// <summary>True while this compressor holds zlib state of its own.</summary>
    public bool HoldsState => _stream is not null;

    /// <summary>Compresses <paramref name="message"/> into a pooled buffer, without the final
    /// <c>00 00 FF FF</c> (§7.2.1). Dispose the result to return the buffer.</summary>
    /// <exception cref="ObjectDisposedException">The compressor was disposed.</exception>
    public CompressedPayload Compress(ReadOnlySpan<byte> message)
    {
        ObjectDisposedException.ThrowIf(_stream is { IsClosed: true }, this);
        if (message.IsEmpty)
        {
            // §7.2.3.6: an empty message compresses to one 0x00 byte (with the tail, an empty stored
            // block) in any state; zlib would write nothing for a second flush with no input.
            byte[] empty = ArrayPool<byte>.Shared.Rent(1);
            empty[0] = 0;
            return new CompressedPayload(empty, 1);
        }

        _stream ??= _noContextTakeover
            ? ZStreamPool.RentDeflater(_level, _windowBits, _memoryLevel)
            : ZStreamHandle.CreateDeflater(_level, _windowBits, _memoryLevel);

        byte[] buffer = ArrayPool<byte>.Shared.Rent(Math.Max(MinimumChunk, message.Length + (message.Length >> 3) + 16));
        int length = 0;
        try
        {
            while (true)
            {
                // §7.2.1: "Compress all the octets of the payload of the message using DEFLATE", then
                // flush with an empty stored block so the message ends on a byte boundary.
                Span<byte> room = buffer.AsSpan(length);
                int status = _stream.Run(message, room, ZStreamHandle.SyncFlush, out int consumed, out int written);
                if (status is not (ZStreamHandle.Ok or ZStreamHandle.BufError))
                    throw new InvalidOperationException($"zlib deflate failed ({status}).");
                length += written;
                message = message[consumed..];

                // Z_SYNC_FLUSH is complete when it left room in the output.
                if (message.IsEmpty && written < room.Length) break;
                buffer = Grow(buffer, length);
            }

            // §7.2.1: "Remove 4 octets (that are 0x00 0x00 0xff 0xff) from the tail end." A sync flush
            // always ends with them.
            if (length < 4 || !buffer.AsSpan(length - 4, 4).SequenceEqual(PayloadInflater.FlushTail))
                throw new InvalidOperationException("zlib's sync flush did not end with 00 00 FF FF.");
        }
        catch
        {
            ArrayPool<byte>.Shared.Return(buffer);
            throw;
        }

        if (_noContextTakeover) ReturnState();
        return new CompressedPayload(buffer, length - 4);
    }

    /// <summary>Frees the zlib state (returns it to the pool when shareable).</summary>
    public void Dispose()
    {
        if (_noContextTakeover) ReturnState();
        else _stream?.Dispose();
        _stream = null;
    }

    private void ReturnState()
    {
        if (_stream is null) return;
        ZStreamPool.ReturnDeflater(_stream, _level, _windowBits, _memoryLevel);
        _stream = null;
    }

    private static byte[] Grow(byte[] buffer, int length)
    {
        byte[] larger = ArrayPool<byte>.Shared.Rent(buffer.Length * 2);
        buffer.AsSpan(0, length).CopyTo(larger);
        ArrayPool<byte>.Shared.Return(buffer);
        return larger;
    }
}

/// <summary>A compressed message payload in a pooled buffer; dispose it once written.</summary>
public readonly struct CompressedPayload : IDisposable
{
    private readonly byte[]? _buffer;
    private readonly int _length;

    internal CompressedPayload(byte[] buffer, int length)
    {
        _buffer = buffer;
        _length = length;
    }

    /// <summary>The compressed bytes, valid until <see cref="Dispose"/>.</summary>
    public ReadOnlySpan<byte> Span => _buffer.AsSpan(0, _length);

    /// <summary>Returns the buffer to the pool.</summary>
    public void Dispose()
    {
        if (_buffer is not null) ArrayPool<byte>.Shared.Return(_buffer);
    }
}
