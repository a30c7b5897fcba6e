using System.Buffers.Binary;

namespace WsServer.Fuzz.Mutation;

/// <summary>Random edits of an input, AFL's havoc stage in miniature: bit flips, random and
/// interesting bytes, inserts, deletes, duplicated runs, dictionary tokens, splices with another
/// corpus entry, and edits of what could be a frame length field (7-bit, 16-bit and 64-bit).</summary>
public sealed class Mutator(Random random, IReadOnlyList<byte[]> dictionary, int maxLength = 128 * 1024)
{
    private static readonly byte[] InterestingBytes = [0x00, 0x01, 0x0A, 0x0D, 0x20, 0x3A, 0x7D, 0x7E, 0x7F, 0x80, 0x81, 0xC0, 0xFF];

    private static readonly ulong[] InterestingLengths =
        [0, 1, 125, 126, 127, 255, 256, 65_535, 65_536, 1 << 20, (1 << 20) + 1, int.MaxValue, long.MaxValue, ulong.MaxValue];

    /// <summary>A mutant of <paramref name="parent"/>: 1 to 8 stacked edits, sometimes a splice with
    /// <paramref name="other"/>.</summary>
    public byte[] Mutate(byte[] parent, byte[] other)
    {
        ArgumentNullException.ThrowIfNull(parent);
        ArgumentNullException.ThrowIfNull(other);
        var data = new List<byte>(parent);
        int edits = 1 << random.Next(4);
        for (int i = 0; i < edits; i++)
            Edit(data, other);
        if (data.Count > maxLength)
            data.RemoveRange(maxLength, data.Count - maxLength);
        return [.. data];
    }

    private void Edit(List<byte> data, byte[] other)
    {
        if (data.Count == 0)
        {
            data.Add((byte)random.Next(256));
            return;
        }

        int at = random.Next(data.Count);
        switch (random.Next(11))
        {
            case 0:
                data[at] ^= (byte)(1 << random.Next(8));
                break;
            case 1:
                data[at] = (byte)random.Next(256);
                break;
            case 2:
                data[at] = InterestingBytes[random.Next(InterestingBytes.Length)];
                break;
            case 3:
                data.InsertRange(at, Enumerable.Range(0, 1 + random.Next(8)).Select(_ => (byte)random.Next(256)));
                break;
            case 4:
                data.RemoveRange(at, Math.Min(data.Count - at, 1 + random.Next(16)));
                break;
            case 5:
                data.InsertRange(at, dictionary[random.Next(dictionary.Count)]);
                break;
            case 6:
                Overwrite(data, at, dictionary[random.Next(dictionary.Count)]);
                break;
            case 7:
                // Splice: this input up to a point, the other from a point.
                int from = other.Length == 0 ? 0 : random.Next(other.Length);
                data.RemoveRange(at, data.Count - at);
                data.AddRange(other.AsSpan(from).ToArray());
                break;
            case 8:
                EditLength(data, at);
                break;
            case 9:
                int run = Math.Min(data.Count - at, 1 + random.Next(32));
                data.InsertRange(at, data.GetRange(at, run));
                break;
            default:
                // The control byte: chunking and target options.
                data[0] = (byte)random.Next(256);
                break;
        }
    }

    private void EditLength(List<byte> data, int at)
    {
        ulong length = InterestingLengths[random.Next(InterestingLengths.Length)] + (ulong)(random.Next(3) - 1);
        Span<byte> bytes = stackalloc byte[8];
        switch (random.Next(3))
        {
            case 0:
                data[at] = (byte)((data[at] & 0x80) | (int)Math.Min(length, 127));
                break;
            case 1:
                BinaryPrimitives.WriteUInt16BigEndian(bytes, (ushort)length);
                Overwrite(data, at, bytes[..2].ToArray());
                break;
            default:
                BinaryPrimitives.WriteUInt64BigEndian(bytes, length);
                Overwrite(data, at, bytes.ToArray());
                break;
        }
    }

    private static void Overwrite(List<byte> data, int at, byte[] bytes)
    {
        for (int i = 0; i < bytes.Length; i++)
        {
            if (at + i < data.Count)
                data[at + i] = bytes[i];
            else
                data.Add(bytes[i]);
        }
    }
}
