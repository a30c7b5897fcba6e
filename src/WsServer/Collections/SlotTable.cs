namespace WsServer.Collections;

/// <summary>
/// Items (connections, transports, epoll sockets) in an array of reused slots, each known by an id that
/// is its slot in the low <see cref="SlotBits"/> bits and a sequence number above them, drawn from one
/// counter for the whole process. A slot's next occupant has a larger number, so a stale id (a late epoll
/// event, a connection id kept after the connection ended) never finds it; and no id is handed out twice
/// in a process (2^39 ids: years at a million a second). Ids are positive and grow with time.
/// </summary>
/// <remarks>
/// Adding and removing take a lock; finding an id and visiting all items take none and allocate
/// nothing (a concurrent dictionary's enumerator is an object per visit, a broadcast's cost per delivery).
/// A visit sees an item added before it began; one removed meanwhile may still be seen, and so may a lookup
/// racing with its removal (a closed connection refuses sends, an ended transport ignores an abort).
/// A slot may be reserved before its item exists (<see cref="TryReserve"/>, then <see cref="Fill"/>): it is
/// counted, but neither found nor visited until filled.
/// </remarks>
internal sealed class SlotTable<T> where T : class
{
    /// <summary>The bits of an id that hold its slot: at most 2^24 (16.7 million) items at once.</summary>
    public const int SlotBits = 24;
    private const long SlotMask = (1L << SlotBits) - 1;

    private readonly Lock _gate = new();
    private readonly Stack<int> _free = new();
    // Replaced whole when it grows, so a reader sees items and ids of one size together.
    private volatile Entries _entries = new(16);
    private int _used;
    private volatile int _count;

    /// <summary>The slots taken: filled or reserved.</summary>
    public int Count => _count;

    /// <summary>Takes a slot for <paramref name="item"/> and returns its id.</summary>
    public long Add(T item)
    {
        TryReserve(0, out long id);
        Fill(id, item);
        return id;
    }

    /// <summary>Takes a slot for an item to come, unless <paramref name="limit"/> (when positive) are
    /// taken: checked and taken in one step, so concurrent callers cannot overshoot it.</summary>
    public bool TryReserve(int limit, out long id)
    {
        lock (_gate)
        {
            id = 0;
            if (limit > 0 && _count >= limit) return false;
            if (!_free.TryPop(out int slot))
            {
                slot = _used;
                if (slot > SlotMask) throw new InvalidOperationException($"More than {SlotMask + 1} items in one slot table.");
                if (slot == _entries.Items.Length) _entries = _entries.Grown();
                _used = slot + 1;
            }
            id = (SlotIds.Next() << SlotBits) | (uint)slot;
            Volatile.Write(ref _entries.Ids[slot], id);
            _count++;
            return true;
        }
    }

    /// <summary>Puts <paramref name="item"/> in the slot reserved for <paramref name="id"/>: from now on
    /// it is found and visited.</summary>
    public void Fill(long id, T item)
    {
        lock (_gate)
        {
            Entries entries = _entries;
            int slot = SlotOf(id);
            if (entries.Ids[slot] != id) throw new InvalidOperationException($"Slot id {id} is not reserved.");
            Volatile.Write(ref entries.Items[slot], item);
        }
    }

    /// <summary>Frees the slot of <paramref name="id"/>, filled or reserved; false when it was freed already.</summary>
    public bool Remove(long id)
    {
        lock (_gate)
        {
            Entries entries = _entries;
            int slot = SlotOf(id);
            if (slot >= _used || entries.Ids[slot] != id) return false;
            // The item goes before the id, so a lookup that sees the id twice saw this item or none.
            Volatile.Write(ref entries.Items[slot], null);
            Volatile.Write(ref entries.Ids[slot], 0);
            _free.Push(slot);
            _count--;
            return true;
        }
    }

    /// <summary>The item of <paramref name="id"/>; false when the slot is free, only reserved, or holds a
    /// later item.</summary>
    public bool TryGet(long id, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out T? item)
    {
        Entries entries = _entries;
        int slot = SlotOf(id);
        item = null;
        if (id <= 0 || slot >= entries.Ids.Length || Volatile.Read(ref entries.Ids[slot]) != id) return false;
        // A new occupant's id is written before its item: the id read again after the item is still
        // this one only if the item was this id's.
        item = Volatile.Read(ref entries.Items[slot]);
        return item is not null && Volatile.Read(ref entries.Ids[slot]) == id;
    }

    public Enumerator GetEnumerator()
    {
        T?[] items = _entries.Items;
        return new(items, Math.Min(Volatile.Read(ref _used), items.Length));
    }

    private static int SlotOf(long id) => (int)(id & SlotMask);

    /// <summary>Over the slots as they were when the visit began, skipping the free and reserved ones.</summary>
    public struct Enumerator(T?[] items, int end)
    {
        private int _index = -1;

        public T Current { get; private set; } = null!;

        public bool MoveNext()
        {
            while (++_index < end)
            {
                if (Volatile.Read(ref items[_index]) is { } item)
                {
                    Current = item;
                    return true;
                }
            }
            return false;
        }
    }

    private sealed class Entries(int length)
    {
        public readonly T?[] Items = new T?[length];
        public readonly long[] Ids = new long[length];

        public Entries Grown()
        {
            var larger = new Entries(Items.Length * 2);
            Items.CopyTo(larger.Items, 0);
            Ids.CopyTo(larger.Ids, 0);
            return larger;
        }
    }
}

/// <summary>The process's one sequence of slot ids, shared by every <see cref="SlotTable{T}"/>.</summary>
file static class SlotIds
{
    private static long s_last;

    public static long Next() => Interlocked.Increment(ref s_last);
}
