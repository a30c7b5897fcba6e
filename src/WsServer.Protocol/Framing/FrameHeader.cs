namespace WsServer.Protocol.Framing;

/// <summary>The fixed part of a frame (RFC 6455 §5.2): everything before the payload.</summary>
/// <param name="Fin">The final fragment of a message.</param>
/// <param name="Rsv1">RSV1; set on the first frame of a compressed message (RFC 7692).</param>
/// <param name="Opcode">The frame's opcode.</param>
/// <param name="PayloadLength">The payload length in bytes.</param>
/// <param name="MaskingKey">The masking key, with the first key byte on the wire as the most
/// significant byte (so wire bytes <c>37 fa 21 3d</c> are <c>0x37fa213d</c>); null when unmasked.</param>
public readonly record struct FrameHeader(
    bool Fin, bool Rsv1, Opcode Opcode, long PayloadLength, uint? MaskingKey = null)
{
    /// <summary>RSV2; no extension here defines it.</summary>
    public bool Rsv2 { get; init; }

    /// <summary>RSV3; no extension here defines it.</summary>
    public bool Rsv3 { get; init; }

    /// <summary>The encoded length of this header: 2 to 14 bytes, with the minimal length encoding
    /// that <see cref="FrameWriter"/> writes. A received header may have been longer: the
    /// <see cref="FrameReader"/> accepts non-minimal length encodings.</summary>
    public int Length => 2 + (PayloadLength switch { <= 125 => 0, <= ushort.MaxValue => 2, _ => 8 })
                           + (MaskingKey is null ? 0 : 4);
}
