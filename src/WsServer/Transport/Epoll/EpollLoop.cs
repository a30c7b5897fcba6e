using System.Runtime.InteropServices;

namespace WsServer.Transport.Epoll;

/// <summary>
/// One epoll instance and the thread that waits on it, for the life of the process (as .NET's own socket
/// engine): each event is passed to its socket's <see cref="EpollSocket.OnEvents"/>. A socket is known by
/// its slot in a table and the slot's generation, both in the event's data, so a late event for a socket
/// already gone (its slot reused) is recognised and dropped. One loop per processor; sockets are dealt
/// out in turn.
/// </summary>
internal sealed unsafe class EpollLoop
{
    private const int EventsPerWait = 256;
    private static readonly Lazy<EpollLoop[]> s_loops = new(() =>
        [.. Enumerable.Range(0, Environment.ProcessorCount).Select(i => new EpollLoop(i))]);
    private static int s_next;

    private readonly int _epoll;
    private readonly Lock _gate = new();
    private readonly Stack<int> _free = new();
    private volatile EpollSocket?[] _sockets = new EpollSocket?[64];
    private int _used;

    private EpollLoop(int index)
    {
        _epoll = EpollInterop.Create();
        var thread = new Thread(Run) { IsBackground = true, Name = $"WsServer epoll {index}" };
        thread.UnsafeStart();
    }

    /// <summary>The next loop in turn.</summary>
    public static EpollLoop Next()
    {
        EpollLoop[] loops = s_loops.Value;
        return loops[(int)((uint)Interlocked.Increment(ref s_next) % (uint)loops.Length)];
    }

    /// <summary>Watches <paramref name="fd"/> for <paramref name="socket"/>, giving it its <see cref="EpollSocket.Key"/>.</summary>
    public void Add(int fd, EpollSocket socket)
    {
        ulong key;
        lock (_gate)
        {
            if (!_free.TryPop(out int slot))
            {
                slot = _used++;
                if (slot == _sockets.Length)
                {
                    EpollSocket?[] larger = new EpollSocket?[slot * 2];
                    _sockets.CopyTo(larger, 0);
                    _sockets = larger;
                }
            }
            key = ((ulong)socket.Generation << 32) | (uint)slot;
            socket.Key = key;
            _sockets[slot] = socket;
        }
        EpollInterop.Control(_epoll, EpollInterop.Add, fd,
            EpollInterop.In | EpollInterop.Out | EpollInterop.ReadHangUp | EpollInterop.EdgeTriggered, key);
    }

    /// <summary>Frees the slot of <paramref name="key"/>; a late event for it is dropped from now on.</summary>
    public void Forget(ulong key)
    {
        lock (_gate)
        {
            int slot = (int)(uint)key;
            _sockets[slot] = null;
            _free.Push(slot);
        }
    }

    private void Run()
    {
        EpollInterop.Event* events = (EpollInterop.Event*)NativeMemory.Alloc(EventsPerWait, (nuint)sizeof(EpollInterop.Event));
        while (true)
        {
            int count = EpollInterop.Wait(_epoll, events, EventsPerWait);
            EpollSocket?[] sockets = _sockets;
            for (int i = 0; i < count; i++)
            {
                ulong key = events[i].Data;
                int slot = (int)(uint)key;
                if (slot < sockets.Length && sockets[slot] is { } socket && socket.Key == key) socket.OnEvents(events[i].Events);
            }
        }
    }
}
