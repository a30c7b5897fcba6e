using System.Buffers;
using WsServer.Protocol.Closing;
using WsServer.Protocol.Compression;
using WsServer.Protocol.Messages;

namespace WsServer.Protocol.Session;

/// <content>Reading data messages in parts (<see cref="ProtocolOptions.StreamMessages"/>): payload bytes go
/// into one part buffer (<see cref="MessageParts"/>) instead of the message, and a part is handed out when
/// it is full, when the input runs out, or when the message ends. While a part is full nothing more is
/// read, so what a session holds of a message is bounded whatever its size. A compressed message is
/// unmasked into a small scratch buffer and inflated from there into the part, at most a part per step:
/// compressed bytes not yet inflated wait in the scratch buffer for the next step.</content>
public sealed partial class ProtocolSession
{
    private readonly MessageParts? _parts;
    private byte[]? _scratch;
    private int _scratchStart;
    private int _scratchEnd;
    private bool _inflatePending; // the last inflate filled its output: zlib may have more without input
    private bool _draining;       // the final frame was read; what it inflates to is still being handed out

    /// <summary>Hands out the part of a streamed message that has bytes, when reading must stop for now.</summary>
    private bool TryTakePendingPart(out ProtocolEvent evt)
    {
        if (_parts is { IsOpen: true, Length: > 0 } parts)
        {
            evt = new ProtocolEvent(ProtocolEventKind.MessagePart, parts.Kind, parts.TakePart());
            return true;
        }
        evt = default;
        return false;
    }

    /// <summary>Reads what the input holds of the current payload into the part, until the part is full.</summary>
    private bool TryReadStreamedPayload(ref SequenceReader<byte> reader, out ProtocolViolation violation)
    {
        MessageParts parts = _parts!;
        violation = default;
        if (_compressed) return TryReadStreamedCompressed(ref reader, parts, out violation);
        while (_payloadRemaining > 0 && !reader.End && !parts.IsFull)
        {
            ReadOnlySpan<byte> source = reader.UnreadSpan;
            Span<byte> room = parts.GetSpan();
            int count = (int)Math.Min(Math.Min(source.Length, _payloadRemaining), room.Length);
            CopyPayload(source[..count], room);
            reader.Advance(count);
            _payloadRemaining -= count;
            if (!parts.TryCommit(count, out violation)) return false;
        }
        return true;
    }

    private bool TryReadStreamedCompressed(ref SequenceReader<byte> reader, MessageParts parts, out ProtocolViolation violation)
    {
        // The scratch buffer has room for the flush tail after a full chunk.
        _scratch ??= ArrayPool<byte>.Shared.Rent(InflateInputChunk + PayloadInflater.FlushTail.Length);
        while (true)
        {
            if (!TryInflateScratch(parts, out violation)) return false;
            if (parts.IsFull || _payloadRemaining == 0 || reader.End) return true;
            ReadOnlySpan<byte> source = reader.UnreadSpan;
            int count = (int)Math.Min(Math.Min(source.Length, _payloadRemaining), InflateInputChunk);
            CopyPayload(source[..count], _scratch.AsSpan(0, count));
            reader.Advance(count);
            _payloadRemaining -= count;
            _scratchStart = 0;
            _scratchEnd = count;
        }
    }

    /// <summary>After the final frame of a compressed streamed message: §7.2.2 "Append 4 octets of 0x00 0x00
    /// 0xff 0xff to the tail end of the payload of the message", inflated over the following steps.</summary>
    private void BeginDraining()
    {
        _scratch ??= ArrayPool<byte>.Shared.Rent(InflateInputChunk + PayloadInflater.FlushTail.Length);
        int pending = _scratchEnd - _scratchStart;
        _scratch.AsSpan(_scratchStart, pending).CopyTo(_scratch);
        PayloadInflater.FlushTail.CopyTo(_scratch.AsSpan(pending));
        _scratchStart = 0;
        _scratchEnd = pending + PayloadInflater.FlushTail.Length;
        _draining = true;
    }

    /// <summary>One step of draining: Done with a part while the message inflates to more, then the
    /// final part as the message.</summary>
    private OperationStatus Drain(IBufferWriter<byte> replies, out ProtocolEvent evt)
    {
        MessageParts parts = _parts!;
        if (!TryInflateScratch(parts, out ProtocolViolation violation)) return Fail(violation, replies, out evt);
        if (parts.IsFull)
        {
            evt = new ProtocolEvent(ProtocolEventKind.MessagePart, parts.Kind, parts.TakePart());
            return OperationStatus.Done;
        }
        _draining = false;
        _compressed = false;
        _inflater!.EndMessage();
        ReturnScratch();
        return CompleteParts(replies, out evt);
    }

    /// <summary>The final part of a streamed message, as its <see cref="ProtocolEventKind.Message"/> event.</summary>
    private OperationStatus CompleteParts(IBufferWriter<byte> replies, out ProtocolEvent evt)
    {
        MessageParts parts = _parts!;
        if (!parts.TryComplete(out ProtocolViolation violation)) return Fail(violation, replies, out evt);
        evt = new ProtocolEvent(ProtocolEventKind.Message, parts.Kind, parts.TakePart());
        return OperationStatus.Done;
    }

    /// <summary>Inflates the scratch buffer's bytes into the part until either is used up, checking the limit
    /// at each step: one byte past it fails with 1009.</summary>
    private bool TryInflateScratch(MessageParts parts, out ProtocolViolation violation)
    {
        violation = default;
        PayloadInflater inflater = Inflater();
        while (!parts.IsFull && (_scratchStart < _scratchEnd || _inflatePending))
        {
            Span<byte> room = parts.GetSpan();
            Span<byte> output = room[..(int)Math.Min(room.Length, parts.Remaining + 1)];
            ReadOnlySpan<byte> input = _scratch.AsSpan(_scratchStart, _scratchEnd - _scratchStart);
            if (inflater.Inflate(input, output, out int consumed, out int written) != OperationStatus.Done)
                return Fail(CloseCode.InvalidPayloadData, "compressed payload is not valid DEFLATE", out violation);
            _scratchStart += consumed;
            _inflatePending = written == output.Length;
            if (written > 0 && !parts.TryCommit(written, out violation)) return false;
            if (consumed == 0 && written == 0)
            {
                if (!input.IsEmpty)
                    return Fail(CloseCode.InvalidPayloadData, "compressed payload makes no progress", out violation);
                _inflatePending = false;
            }
        }
        return true;
    }

    private void ReturnScratch()
    {
        if (_scratch is not null) ArrayPool<byte>.Shared.Return(_scratch);
        _scratch = null;
        _scratchStart = _scratchEnd = 0;
        _inflatePending = false;
    }

    private void ReleaseParts()
    {
        _parts?.Release();
        _draining = false;
        ReturnScratch();
    }
}
