using System.Diagnostics;

namespace WsServer.LoadTest.Client;

/// <summary>Drives many <see cref="WsClient"/> connections from one thread of its own with level-triggered epoll:
/// on each wake-up every ready connection receives once, counts the whole messages echoed, and sends as many new
/// frames in one send (each connection keeps <c>window</c> in flight, starting at frame i of the cycle for
/// connection i). With a window of 0 a connection only counts what it receives, until the server ends the stream.</summary>
/// <remarks>Cheaper than one async pump per connection, where every receive costs the runtime's socket engine a
/// wake-up and a continuation: at one 32 B message in flight the tool's user-mode CPU per message fell from 3.3 to
/// 1.2 µs (the kernel's share, about 6 µs, stays). The connections must come from <see cref="WsClient.Connect"/> and never do an async
/// operation: a socket that did is registered with the runtime's own (edge-triggered) epoll, whose thread would
/// then wake for every event too.</remarks>
internal sealed class EpollClientLoop
{
    private const int WaitMs = 100;

    private sealed class Connection(WsClient client, int index, int next)
    {
        public readonly WsClient Client = client;
        public readonly ulong Index = (ulong)index;
        public readonly int Fd = (int)client.Socket.SafeHandle.DangerousGetHandle();
        public int Next = next;
        public int Outstanding; // sent or being sent, not yet echoed
        public int Owed; // echoed, not yet sent again
        public ReadOnlyMemory<byte> Unsent; // what a send could not take; EPOLLOUT is watched meanwhile
        public long SentAt;
        public bool Ended;
    }

    private readonly Connection[] _connections;
    private readonly FrameCycle? _frames;
    private readonly int _window;
    private readonly LoadState _state;
    private readonly long _deadline;
    private readonly TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _epoll = -1;
    private int _live;

    private EpollClientLoop(IReadOnlyList<WsClient> clients, FrameCycle? frames, int window, LoadState state, TimeSpan timeout)
    {
        if (window > 0) ArgumentNullException.ThrowIfNull(frames);
        _connections = [.. clients.Select((c, i) => new Connection(c, i, frames is null ? 0 : i % frames.Count))];
        _frames = frames;
        _window = window;
        _state = state;
        _deadline = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
    }

    /// <summary>Starts the loop's thread; the task completes when every connection has ended (with a window, once
    /// <see cref="LoadState.Stopping"/> is set and its last echo came) or at <paramref name="timeout"/>.</summary>
    public static Task Start(IReadOnlyList<WsClient> clients, FrameCycle? frames, int window, LoadState state, TimeSpan timeout)
    {
        var loop = new EpollClientLoop(clients, frames, window, state, timeout);
        new Thread(loop.Run) { IsBackground = true, Name = "epoll client" }.Start();
        return loop._done.Task;
    }

    private void Run()
    {
        try
        {
            _epoll = Epoll.Create();
            for (int i = 0; i < _connections.Length; i++)
            {
                Epoll.Add(_epoll, _connections[i].Fd, Epoll.In, (ulong)i);
                _live++;
            }
            foreach (Connection c in _connections)
            {
                c.Owed = _window;
                Step(c, Epoll.Out);
            }
            var events = new Epoll.Event[Math.Min(_connections.Length, 256)];
            while (_live > 0)
            {
                int ready = Epoll.Wait(_epoll, events, WaitMs);
                // Only an idle wait can mean a server that stopped answering, and it saves a clock read per wake-up.
                if (ready == 0 && Stopwatch.GetTimestamp() > _deadline)
                {
                    Console.Error.WriteLine($"  epoll client: {_live} connections still open at the deadline");
                    break;
                }
                long received = 0;
                for (int e = 0; e < ready; e++) received += Step(_connections[(int)events[e].Data], events[e].Events);
                if (received > 0) Interlocked.Add(ref _state.Received, received);
            }
            _done.TrySetResult();
        }
        catch (Exception ex)
        {
            _done.TrySetException(ex);
        }
        finally
        {
            // Closing the epoll descriptor drops its registrations; the sockets stay open for the caller to close.
            if (_epoll >= 0) Epoll.Close(_epoll);
        }
    }

    /// <summary>Handles what epoll reported for one connection; returns the whole messages received. A failure
    /// ends that connection only, as it ends one async pump.</summary>
    private int Step(Connection c, uint events)
    {
        try
        {
            // EPOLLERR and EPOLLHUP come with or without EPOLLIN; the receive tells what happened.
            int received = (events & ~Epoll.Out) != 0 ? Receive(c) : 0;
            if ((events & Epoll.Out) != 0 && !c.Ended) Send(c);
            return received;
        }
        catch (IOException ex)
        {
            if (_window > 0) Console.Error.WriteLine($"  echo client ended early: {ex.Message}");
            End(c);
            return 0;
        }
    }

    /// <summary>Receives once; returns the whole messages that completed.</summary>
    private int Receive(Connection c)
    {
        nint read = Epoll.Receive(c.Fd, c.Client.ReceiveRoom());
        if (read == -Epoll.EAgain) return 0;
        if (read < 0) throw new IOException(Epoll.Message((int)-read));
        int echoed = c.Client.Received((int)read);
        if (echoed < 0)
        {
            End(c);
            return 0;
        }
        if (echoed == 0 || _window == 0) return echoed;
        if (_state.Recording) _state.Latency?.Record(Stopwatch.GetTimestamp() - c.SentAt);
        c.Outstanding -= echoed;
        if (_state.Stopping)
        {
            if (c.Outstanding == 0) End(c);
        }
        else
        {
            c.Owed += echoed;
            // Else they go with the rest once EPOLLOUT says the socket takes more.
            if (c.Unsent.IsEmpty) Send(c);
        }
        return echoed;
    }

    /// <summary>Sends what is unsent, then the frames owed in one send, while the socket takes them; watches
    /// EPOLLOUT for whatever it does not (large frames or windows can fill the send buffer).</summary>
    private void Send(Connection c)
    {
        bool watching = !c.Unsent.IsEmpty;
        while (true)
        {
            if (c.Unsent.IsEmpty)
            {
                if (c.Owed == 0 || _state.Stopping) break;
                if (_state.Latency is not null) c.SentAt = Stopwatch.GetTimestamp();
                c.Unsent = _frames!.Take(ref c.Next, c.Owed);
                c.Outstanding += c.Owed;
                c.Owed = 0;
            }
            nint sent = Epoll.Send(c.Fd, c.Unsent.Span);
            if (sent == -Epoll.EAgain)
            {
                if (!watching) Epoll.Modify(_epoll, c.Fd, Epoll.In | Epoll.Out, c.Index);
                return;
            }
            if (sent < 0) throw new IOException(Epoll.Message((int)-sent));
            c.Unsent = c.Unsent[(int)sent..];
        }
        if (watching) Epoll.Modify(_epoll, c.Fd, Epoll.In, c.Index);
    }

    private void End(Connection c)
    {
        if (c.Ended) return;
        c.Ended = true;
        _live--;
        Epoll.Remove(_epoll, c.Fd);
    }
}
