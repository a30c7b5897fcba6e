using System.Runtime.InteropServices;
using WsServer.Collections;

namespace WsServer.Transport.Epoll;

/// <summary>
/// One epoll instance and the thread that waits on it, for the life of the process (as .NET's own socket
/// engine): each event is passed to its socket's <see cref="EpollSocket.OnEvents"/>. A socket is known by
/// its id in a <see cref="SlotTable{T}"/>, the event's data, so a late event for a socket already gone
/// (its slot reused) is recognised and dropped. One loop per processor; sockets are dealt
/// out in turn. The replies written while it serves one wait's events leave together at its end (<see cref="LoopBatch"/>).
/// </summary>
internal sealed unsafe class EpollLoop
{
    private const int EventsPerWait = 256;
    private static readonly Lazy<EpollLoop[]> s_loops = new(() =>
        [.. Enumerable.Range(0, Environment.ProcessorCount).Select(i => new EpollLoop(i))]);
    private static int s_next;

    private readonly int _epoll;
    private readonly SlotTable<EpollSocket> _sockets = new();

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
        ulong key = (ulong)_sockets.Add(socket);
        socket.Key = key;
        EpollInterop.Control(_epoll, EpollInterop.Add, fd,
            EpollInterop.In | EpollInterop.Out | EpollInterop.ReadHangUp | EpollInterop.EdgeTriggered, key);
    }

    /// <summary>Frees the slot of <paramref name="key"/>; a late event for it is dropped from now on.</summary>
    public void Forget(ulong key) => _sockets.Remove((long)key);

    private void Run()
    {
        EpollInterop.Event* events = (EpollInterop.Event*)NativeMemory.Alloc(EventsPerWait, (nuint)sizeof(EpollInterop.Event));
        LoopBatch.Enter();
        while (true)
        {
            int count = EpollInterop.Wait(_epoll, events, EventsPerWait);
            for (int i = 0; i < count; i++)
            {
                if (_sockets.TryGet((long)events[i].Data, out EpollSocket? socket)) socket.OnEvents(events[i].Events);
            }
            LoopBatch.FlushDue();
        }
    }
}
