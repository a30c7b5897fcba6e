using System.Text;
using WsServer.Protocol.Compression;
using WsServer.Protocol.Framing;

namespace WsServer.PubSub;

/// <summary>A message encoded once as a server frame, to be sent to many connections (fan-out) with no
/// further encoding and no copy: every connection's send queue holds a reference to the same bytes.
/// Connections that agreed permessage-deflate without server context takeover (the default) share one
/// compressed frame instead, made by the first of them to need it.</summary>
public sealed class PreparedMessage
{
    private readonly byte[] _frame;
    private readonly Opcode _opcode;
    private readonly int _payloadOffset;
    private CompressedFrame? _compressed;

    private PreparedMessage(byte[] frame, Opcode opcode, int payloadOffset, bool compressible = true)
    {
        _frame = frame;
        _opcode = opcode;
        _payloadOffset = payloadOffset;
        IsCompressible = compressible;
    }

    /// <summary>False for a message made by <see cref="WithoutCompression"/>: it is sent as its plain frame to
    /// every connection, permessage-deflate or not.</summary>
    public bool IsCompressible { get; }

    /// <summary>The same message, never compressed, whatever a connection agreed (the frame is shared, not
    /// copied). For secrets and for data an attacker chooses: compressed in one context, side by side, their
    /// sizes leak what they have in common (CRIME, BREACH). Any send of a prepared message honours it.</summary>
    public PreparedMessage WithoutCompression() => IsCompressible ? new PreparedMessage(_frame, _opcode, _payloadOffset, compressible: false) : this;

    /// <summary>The encoded (uncompressed) frame, header included.</summary>
    public ReadOnlyMemory<byte> Frame => _frame;

    /// <summary>The payload's length in bytes.</summary>
    internal int PayloadLength => _frame.Length - _payloadOffset;

    /// <summary>The message's payload (UTF-8 for text), as given.</summary>
    public ReadOnlyMemory<byte> Payload => _frame.AsMemory(_payloadOffset);

    /// <summary>Whether this is a text message (else binary).</summary>
    public bool IsText => _opcode == Opcode.Text;

    /// <summary>Encodes a text message.</summary>
    public static PreparedMessage Text(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        int length = Encoding.UTF8.GetByteCount(text);
        byte[] frame = FrameWriter.AllocateFrame(Opcode.Text, length, rsv1: false, out Span<byte> payload);
        Encoding.UTF8.GetBytes(text, payload);
        return new PreparedMessage(frame, Opcode.Text, frame.Length - length);
    }

    /// <summary>Encodes a text message given as UTF-8 bytes (not re-validated).</summary>
    public static PreparedMessage Text(ReadOnlySpan<byte> utf8) => Encode(Opcode.Text, utf8);

    /// <summary>Encodes a binary message.</summary>
    public static PreparedMessage Binary(ReadOnlySpan<byte> data) => Encode(Opcode.Binary, data);

    /// <summary>The frame to queue for a connection whose session asks for <paramref name="deflate"/>
    /// (null: the plain frame). Compressed frames are made once per settings and kept.</summary>
    internal byte[] FrameFor(SharedDeflate? deflate)
    {
        if (deflate is not SharedDeflate settings || !IsCompressible) return _frame;
        for (CompressedFrame? known = Volatile.Read(ref _compressed); known is not null; known = known.Next)
        {
            if (known.Settings == settings) return known.Frame;
        }
        // Two first senders may both compress; the loser's frame is equal, so either is right.
        byte[] frame = settings.EncodeFrame(_opcode, _frame.AsSpan(_payloadOffset));
        CompressedFrame? head;
        do
        {
            head = Volatile.Read(ref _compressed);
        } while (Interlocked.CompareExchange(ref _compressed, new CompressedFrame(settings, frame, head), head) != head);
        return frame;
    }

    // One array, exactly the frame: what every connection's queue will hold a reference to.
    private static PreparedMessage Encode(Opcode opcode, ReadOnlySpan<byte> payload)
    {
        byte[] frame = FrameWriter.EncodeFrame(opcode, payload);
        return new PreparedMessage(frame, opcode, frame.Length - payload.Length);
    }

    private sealed record CompressedFrame(SharedDeflate Settings, byte[] Frame, CompressedFrame? Next);
}
