using System.Buffers.Binary;
using System.Text;
using WsServer.Protocol.Framing;

namespace WsServer.Protocol.Tests.TestSupport;

/// <summary>Frames as a peer would send them, built byte by byte independently of
/// <see cref="FrameWriter"/>: <c>Frames.Text("Hello").Masked(0x37fa213d).NotFinal().ToArray()</c>.</summary>
public static class Frames
{
    public static FrameBuilder Text(string text) => new(Opcode.Text, Encoding.UTF8.GetBytes(text));

    public static FrameBuilder Text(byte[] payload) => new(Opcode.Text, payload);

    public static FrameBuilder Binary(byte[] payload) => new(Opcode.Binary, payload);

    public static FrameBuilder Continuation(string text) => new(Opcode.Continuation, Encoding.UTF8.GetBytes(text));

    public static FrameBuilder Continuation(byte[] payload) => new(Opcode.Continuation, payload);

    public static FrameBuilder Ping(string text = "") => new(Opcode.Ping, Encoding.UTF8.GetBytes(text));

    public static FrameBuilder Pong(string text = "") => new(Opcode.Pong, Encoding.UTF8.GetBytes(text));

    public static FrameBuilder Close() => new(Opcode.Close, []);

    public static FrameBuilder Close(ushort code, string reason = "")
    {
        byte[] text = Encoding.UTF8.GetBytes(reason);
        var payload = new byte[2 + text.Length];
        BinaryPrimitives.WriteUInt16BigEndian(payload, code);
        text.CopyTo(payload, 2);
        return new(Opcode.Close, payload);
    }

    public static FrameBuilder Raw(Opcode opcode, byte[] payload) => new(opcode, payload);

    /// <summary>Frames concatenated, as they arrive on a connection.</summary>
    public static byte[] Concat(params FrameBuilder[] frames) => frames.SelectMany(f => f.ToArray()).ToArray();
}

/// <summary>One frame under construction; every method returns a modified copy.</summary>
public sealed record FrameBuilder(Opcode Opcode, byte[] Payload)
{
    private bool Fin { get; init; } = true;
    private byte Rsv { get; init; }
    private uint? Key { get; init; }
    private int? LengthBytes { get; init; }
    private ulong? AnnouncedLength { get; init; }

    public FrameBuilder NotFinal() => this with { Fin = false };

    public FrameBuilder Masked(uint key) => this with { Key = key };

    /// <summary>Sets RSV1 (0x4), RSV2 (0x2) or RSV3 (0x1) as given by <paramref name="bits"/>.</summary>
    public FrameBuilder Reserved(int bits) => this with { Rsv = (byte)bits };

    /// <summary>Encodes the length in 0, 2 or 8 extra bytes whatever its value (non-minimal encodings).</summary>
    public FrameBuilder LengthIn(int extraBytes) => this with { LengthBytes = extraBytes };

    /// <summary>Announces a length other than the payload's (the payload still follows as given).</summary>
    public FrameBuilder Announcing(ulong length) => this with { AnnouncedLength = length, LengthBytes = LengthBytes ?? 8 };

    /// <summary>The header bytes only.</summary>
    public byte[] Header()
    {
        ulong length = AnnouncedLength ?? (ulong)Payload.Length;
        int extra = LengthBytes ?? (length <= 125 ? 0 : length <= ushort.MaxValue ? 2 : 8);
        var header = new List<byte>
        {
            (byte)((Fin ? 0x80 : 0) | (Rsv << 4) | (byte)Opcode),
            (byte)((Key is null ? 0 : 0x80) | extra switch { 0 => (int)length, 2 => 126, _ => 127 }),
        };
        for (int i = extra - 1; i >= 0; i--)
            header.Add((byte)(length >> (8 * i)));
        if (Key is uint key)
            header.AddRange([(byte)(key >> 24), (byte)(key >> 16), (byte)(key >> 8), (byte)key]);
        return [.. header];
    }

    public byte[] ToArray()
    {
        byte[] payload = (byte[])Payload.Clone();
        if (Key is uint key)
            ScalarMask.Apply(payload, key, 0);
        return [.. Header(), .. payload];
    }
}

/// <summary>The masking of RFC 6455 §5.3 written the obvious way, as a reference.</summary>
public static class ScalarMask
{
    public static int Apply(Span<byte> data, uint key, int offset)
    {
        for (int i = 0; i < data.Length; i++)
            data[i] ^= (byte)(key >> (24 - (8 * ((offset + i) & 3))));
        return (offset + data.Length) & 3;
    }
}
