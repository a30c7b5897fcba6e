using WsServer.Collections;

namespace WsServer.Transport;

/// <summary>
/// The writes a broadcast or a publish claims, started in thread-pool work items of up to <see cref="Size"/> writers
/// each rather than one item per subscriber: queueing, dispatching and running an item cost about a third of a
/// delivery's user time. Within <see cref="Batch"/> on a thread, a claimed write
/// joins that thread's open batch, which is queued once full or when the outermost scope ends; elsewhere a write
/// is started on its own. The items still spread a broadcast to many connections over the pool's threads.
/// </summary>
internal sealed class WriteStarts : IThreadPoolWorkItem
{
    private const int Size = 32;
    private static readonly BoundedPool<WriteStarts> s_free = new(256);

    [ThreadStatic] private static int t_depth; // scopes open on this thread
    [ThreadStatic] private static WriteStarts? t_open;

    private readonly IThreadPoolWorkItem[] _writes = new IThreadPoolWorkItem[Size];
    private int _count;

    /// <summary>Until disposed, the writes claimed on this thread are started together.</summary>
    public static Scope Batch()
    {
        t_depth++;
        return default;
    }

    /// <summary>How many writes this thread's open batch holds, not yet queued.</summary>
    internal static int HeldOnThisThread => t_open?._count ?? 0;

    /// <summary>Joins <paramref name="write"/> to this thread's batch; false outside <see cref="Batch"/> (start it
    /// on its own).</summary>
    public static bool TryAdd(IThreadPoolWorkItem write)
    {
        if (t_depth == 0) return false;
        WriteStarts open = t_open ??= s_free.TryRent(out WriteStarts? kept) ? kept : new WriteStarts();
        open._writes[open._count++] = write;
        if (open._count == Size) QueueOpen();
        return true;
    }

    private static void QueueOpen()
    {
        if (t_open is not { } open) return;
        t_open = null;
        ThreadPool.UnsafeQueueUserWorkItem(open, preferLocal: false);
    }

    void IThreadPoolWorkItem.Execute()
    {
        for (int i = 0; i < _count; i++)
        {
            IThreadPoolWorkItem write = _writes[i];
            _writes[i] = null!;
            write.Execute();
        }
        _count = 0;
        s_free.TryReturn(this);
    }

    /// <summary>The end of a <see cref="Batch"/>: the outermost queues what its thread's batch holds.</summary>
    public readonly ref struct Scope
    {
        public void Dispose()
        {
            if (--t_depth == 0) QueueOpen();
        }
    }
}
