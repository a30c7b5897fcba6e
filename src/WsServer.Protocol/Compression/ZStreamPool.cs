namespace WsServer.Protocol.Compression;

/// <summary>zlib streams with no history, shared between connections whose parameters allow it (no
/// context takeover): a connection borrows one for one message and gives it back reset, so idle
/// connections hold no compression state at all.</summary>
internal static class ZStreamPool
{
    /// <summary>Streams kept per configuration; more are freed. Bounds the memory an idle server holds.</summary>
    private const int MaxKept = 16;

    private static readonly Dictionary<(bool Deflate, int WindowBits, int Level, int MemoryLevel), Stack<ZStreamHandle>> s_kept = [];
    private static readonly Lock s_gate = new();

    public static ZStreamHandle RentDeflater(int level, int windowBits, int memoryLevel) =>
        TryTake((true, windowBits, level, memoryLevel)) ?? ZStreamHandle.CreateDeflater(level, windowBits, memoryLevel);

    public static ZStreamHandle RentInflater(int windowBits) =>
        TryTake((false, windowBits, 0, 0)) ?? ZStreamHandle.CreateInflater(windowBits);

    public static void ReturnDeflater(ZStreamHandle stream, int level, int windowBits, int memoryLevel) =>
        Return(stream, (true, windowBits, level, memoryLevel));

    public static void ReturnInflater(ZStreamHandle stream, int windowBits) => Return(stream, (false, windowBits, 0, 0));

    private static ZStreamHandle? TryTake((bool, int, int, int) key)
    {
        lock (s_gate)
            return s_kept.TryGetValue(key, out Stack<ZStreamHandle>? stack) && stack.TryPop(out ZStreamHandle? stream) ? stream : null;
    }

    private static void Return(ZStreamHandle stream, (bool, int, int, int) key)
    {
        stream.Reset();
        lock (s_gate)
        {
            if (!s_kept.TryGetValue(key, out Stack<ZStreamHandle>? stack)) s_kept[key] = stack = new Stack<ZStreamHandle>();
            if (stack.Count < MaxKept)
            {
                stack.Push(stream);
                return;
            }
        }
        stream.Dispose();
    }
}
