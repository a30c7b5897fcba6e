using System.Buffers;
using WsServer.Collections;

namespace WsServer.Transport;

/// <summary>
/// The arrays every send queue holds frames in, and socket readers read into: 4, 8 and 16 KiB, kept by the server between uses. The
/// shared <see cref="ArrayPool{T}"/> keeps only a few dozen arrays per size and core, too few when
/// hundreds of connections each have large frames in flight, so the rest would become garbage and
/// GCs (measured: 55 KB per 64 KiB echo). At most <see cref="RetainedBytesPerSize"/> is kept per size
/// (as a count of arrays of that size); larger requests go to the shared pool. A few arrays of the smallest
/// size, the one every reply and read takes, are kept per thread in front of it: an epoll loop rents and
/// returns them for each read and its replies, and gets back the array it used last, still in its cache,
/// without the shared queue's atomic operations.
/// </summary>
internal static class SegmentPool
{
    public const int SmallestSize = 4 * 1024;
    public const int LargestSize = 16 * 1024;
    private const long RetainedBytesPerSize = 32L * 1024 * 1024;

    private const int KeptPerThread = 4;

    private static readonly BoundedPool<byte[]>[] s_free =
        [Kept(SmallestSize), Kept(2 * SmallestSize), Kept(LargestSize)];

    // Last in, first out: the array returned last is the one most likely still in the cache.
    [ThreadStatic] private static Stack<byte[]>? t_smallest;

    /// <summary>An array of at least <paramref name="minimumLength"/> bytes.</summary>
    public static byte[] Rent(int minimumLength)
    {
        if (minimumLength <= SmallestSize && t_smallest?.TryPop(out byte[]? kept) == true) return kept;
        int size = minimumLength <= SmallestSize ? SmallestSize : (int)System.Numerics.BitOperations.RoundUpToPowerOf2((uint)minimumLength);
        if (size > LargestSize) return ArrayPool<byte>.Shared.Rent(minimumLength);
        return s_free[IndexOf(size)].TryRent(out byte[]? array) ? array : GC.AllocateUninitializedArray<byte>(size);
    }

    /// <summary>Takes back an array from <see cref="Rent"/>.</summary>
    public static void Return(byte[] array)
    {
        if (array.Length == SmallestSize)
        {
            Stack<byte[]> kept = t_smallest ??= new Stack<byte[]>(KeptPerThread);
            if (kept.Count < KeptPerThread)
            {
                kept.Push(array);
                return;
            }
        }
        if (array.Length > LargestSize)
        {
            ArrayPool<byte>.Shared.Return(array);
            return;
        }
        s_free[IndexOf(array.Length)].TryReturn(array);
    }

    private static BoundedPool<byte[]> Kept(int size) => new((int)(RetainedBytesPerSize / size));

    // 4 KiB -> 0, 8 KiB -> 1, 16 KiB -> 2.
    private static int IndexOf(int size) => System.Numerics.BitOperations.Log2((uint)size) - 12;
}
