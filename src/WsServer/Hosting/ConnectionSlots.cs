using WsServer.Connections;

namespace WsServer.Hosting;

/// <summary>
/// The open connections in an array of reused slots, for what visits them all: a broadcast (per message),
/// the heartbeat, the stop's sweep. A visit takes no lock and allocates nothing, where a concurrent
/// dictionary's enumerator is an object per visit (a broadcast to 100 showed as 1 B per delivery). It sees
/// a connection added before it began; one removed meanwhile may still be seen (closed, it refuses sends).
/// </summary>
internal sealed class ConnectionSlots
{
    private readonly Lock _gate = new();
    private readonly Stack<int> _free = new();
    private volatile WebSocketConnection?[] _slots = new WebSocketConnection?[16];
    private volatile int _used;

    /// <summary>Takes a slot for <paramref name="connection"/>; returns it, for <see cref="Remove"/>.</summary>
    public int Add(WebSocketConnection connection)
    {
        lock (_gate)
        {
            if (!_free.TryPop(out int slot))
            {
                slot = _used;
                if (slot == _slots.Length)
                {
                    var larger = new WebSocketConnection?[slot * 2];
                    _slots.CopyTo(larger, 0);
                    _slots = larger;
                }
                _used = slot + 1;
            }
            _slots[slot] = connection;
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
    public struct Enumerator(WebSocketConnection?[] slots, int used)
    {
        private readonly int _end = Math.Min(used, slots.Length);
        private int _index = -1;

        public WebSocketConnection Current { get; private set; } = null!;

        public bool MoveNext()
        {
            while (++_index < _end)
            {
                if (Volatile.Read(ref slots[_index]) is { } connection)
                {
                    Current = connection;
                    return true;
                }
            }
            return false;
        }
    }
}
