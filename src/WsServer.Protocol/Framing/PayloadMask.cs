using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Security.Cryptography;

namespace WsServer.Protocol.Framing;

/// <summary>The XOR masking of RFC 6455 §5.3, vectorized.</summary>
/// <remarks>
/// §5.3: "Octet i of the transformed data ("transformed-octet-i") is the XOR of octet i of the
/// original data ("original-octet-i") with octet at index i modulo 4 of the masking key
/// ("masking-key-octet-j")". The key is rotated once so that the chunk starts at key byte
/// <c>keyOffset</c>; that 4-byte pattern then repeats every 4 bytes, so it is broadcast to a
/// 32- or 16-byte vector (widths are multiples of 4, so the pattern stays aligned with the data),
/// then an 8-byte word, then single bytes finish the tail.
/// </remarks>
public static class PayloadMask
{
    /// <summary>XORs <paramref name="payload"/> in place with the key, starting at key byte
    /// <paramref name="keyOffset"/> (0-3), and returns the key offset for the next chunk.</summary>
    /// <param name="payload">The bytes to mask or unmask.</param>
    /// <param name="maskingKey">The key, first wire byte most significant (see <see cref="FrameHeader.MaskingKey"/>).</param>
    /// <param name="keyOffset">The index of the key byte that applies to the first byte: the value the
    /// previous chunk's call returned, or 0 for the first chunk of a payload.</param>
    public static int Apply(Span<byte> payload, uint maskingKey, int keyOffset) =>
        Apply(payload, payload, maskingKey, keyOffset);

    /// <summary>Copies <paramref name="source"/> into <paramref name="destination"/> (at least as
    /// long) XORed with the key; returns the key offset for the next chunk.</summary>
    /// <remarks>The two spans must be the same memory or not overlap at all.</remarks>
    /// <param name="source">The bytes to mask or unmask; not modified unless it is <paramref name="destination"/>.</param>
    /// <param name="destination">Where the result goes, from its start.</param>
    /// <param name="maskingKey">The key, first wire byte most significant (see <see cref="FrameHeader.MaskingKey"/>).</param>
    /// <param name="keyOffset">The index of the key byte that applies to the first byte (0-3).</param>
    public static int Apply(ReadOnlySpan<byte> source, Span<byte> destination, uint maskingKey, int keyOffset)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(keyOffset);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(keyOffset, 3);
        if (destination.Length < source.Length)
            throw new ArgumentException("The destination is shorter than the source.", nameof(destination));

        // Byte k of the key becomes the first byte of the pattern; the pattern is then stored
        // in memory order so that byte 0 of a loaded word meets pattern byte 0.
        uint rotated = BitOperations.RotateLeft(maskingKey, 8 * keyOffset);
        uint pattern = BitConverter.IsLittleEndian ? BinaryPrimitives.ReverseEndianness(rotated) : rotated;

        ref byte src = ref MemoryMarshal.GetReference(source);
        ref byte dst = ref MemoryMarshal.GetReference(destination);
        nuint length = (nuint)source.Length;
        nuint i = 0;

        if (Vector256.IsHardwareAccelerated && length >= (nuint)Vector256<byte>.Count)
        {
            Vector256<byte> mask = Vector256.Create(pattern).AsByte();
            nuint last = length - (nuint)Vector256<byte>.Count;
            for (; i <= last; i += (nuint)Vector256<byte>.Count)
                (Vector256.LoadUnsafe(ref src, i) ^ mask).StoreUnsafe(ref dst, i);
        }

        if (Vector128.IsHardwareAccelerated && length - i >= (nuint)Vector128<byte>.Count)
        {
            Vector128<byte> mask = Vector128.Create(pattern).AsByte();
            nuint last = length - (nuint)Vector128<byte>.Count;
            for (; i <= last; i += (nuint)Vector128<byte>.Count)
                (Vector128.LoadUnsafe(ref src, i) ^ mask).StoreUnsafe(ref dst, i);
        }

        // Whole 4-byte groups keep the pattern aligned; the last 0-3 bytes take key bytes one by one.
        for (; length - i >= sizeof(uint); i += sizeof(uint))
        {
            uint word = MemoryMarshal.Read<uint>(source[(int)i..]);
            MemoryMarshal.Write(destination[(int)i..], word ^ pattern);
        }

        int tail = (int)i;
        for (int j = 0; tail + j < source.Length; j++)
            destination[tail + j] = (byte)(source[tail + j] ^ (byte)(rotated >> (24 - (8 * j))));

        return (keyOffset + source.Length) & 3;
    }

    /// <summary>A fresh key from a cryptographic random source (§5.3: "MUST be unpredictable").</summary>
    /// <remarks>Allocates nothing.</remarks>
    public static uint NewKey()
    {
        Span<byte> key = stackalloc byte[sizeof(uint)];
        RandomNumberGenerator.Fill(key);
        return BinaryPrimitives.ReadUInt32BigEndian(key);
    }
}
