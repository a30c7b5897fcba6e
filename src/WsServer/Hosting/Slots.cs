namespace WsServer.Hosting;

/// <summary>
/// Items (the open connections, the open transports) in an array of reused slots, for what visits them
/// all: a broadcast (per message), the heartbeat, the stop's sweeps. A visit takes no lock and allocates
/// nothing, where a concurrent dictionary's enumerator is an object per visit (a broadcast to 100 showed as
/// 1 B per delivery), and an item costs one array element, where a cancellation registration is an object.
/// A visit sees an item added before it began; one removed meanwhile may still be seen (a closed
/// connection refuses sends, an ended transport ignores an abort).
/// </summary>
internal sealed class Slots<T> where T : class
{
    private readonly Lock _gate = new();
    private readonly Stack<int> _free = new();
    private volatile T?[] _slots = new T?[16];
    private volatile int _used;

    /// <summary>Takes a slot for <paramref name="item"/>; returns it, for <see cref="Remove"/>.</summary>
    public int Add(T item)
    {
        lock (_gate)
        {
            if (!_free.TryPop(out int slot))
            {
                slot = _used;
                if (slot == _slots.Length)
                {
                    var larger = new T?[slot * 2];
                    _slots.CopyTo(larger, 0);
                    _slots = larger;
                }
                _used = slot + 1;
            }
            _slots[slot] = item;
            return slot;
        }
    }

    public void Remove(int slot)
    {
        lock (_gate)
        {
            _slots[slot] = null;
            _free.Push(slot);
        }
    }

    public Enumerator GetEnumerator() => new(_slots, _used);

    /// <summary>Over the slots as they were when the visit began, skipping the free ones.</summary>
    public struct Enumerator(T?[] slots, int used)
    {
        private readonly int _end = Math.Min(used, slots.Length);
        private int _index = -1;

        public T Current { get; private set; } = null!;

        public bool MoveNext()
        {
            while (++_index < _end)
            {
                if (Volatile.Read(ref slots[_index]) is { } item)
                {
                    Current = item;
                    return true;
                }
            }
            return false;
        }
    }
}
