namespace WsServer.Connections;

/// <summary>What a <see cref="Mailbox"/> delivers to, in the connection's turn.</summary>
internal interface IMailboxOwner
{
    /// <summary>True once the connection's end is being handled: nothing more is delivered.</summary>
    bool HasEnded { get; }

    /// <summary>A posted item, for the handler.</summary>
    ValueTask DeliverMailAsync(object? item);

    /// <summary>The keep-alive tick: a liveness check.</summary>
    void CheckLiveness();
}

/// <summary>
/// A connection's mailbox, as an Erlang process has one: anything posted to it (a timer's tick, a
/// message from a topic or from another node, a keep-alive check) reaches the handler in the
/// connection's turn, so in order with the peer's messages and never during another handler call.
/// A drain is scheduled on the thread pool when the first item arrives and runs until the box is
/// empty; an empty mailbox holds no queue.
/// </summary>
/// <remarks>The keep-alive tick is a flag, not an item: it only asks for a liveness check in the
/// connection's turn, which the drain runs before its next item, so a tick creates no queue. The queue
/// of posted items is created by the first post and dropped when a drain empties it. Its state is
/// guarded by the mailbox's own monitor (the mailbox is never handed out, so nothing else locks it):
/// a lock object would be one more thing every connection holds. The mailbox is the turn it delivers in, and a
/// connection's <see cref="HandlerCalls"/> is its mailbox: one object for the three, not sealed for that.</remarks>
internal class Mailbox : HandlerTurn, IThreadPoolWorkItem
{
    private IMailboxOwner? _owner;
    private Queue<object?>? _items;
    private bool _tickDue;
    private bool _draining; // a drain is scheduled or running, and will look at the box again

    /// <param name="owner">What the box delivers to; null until <see cref="DeliverTo"/> names it.</param>
    public Mailbox(IMailboxOwner? owner = null) => _owner = owner;

    /// <summary>Names what the box delivers to, once, before anything is posted (a connection is made after its calls).</summary>
    public void DeliverTo(IMailboxOwner owner) => _owner = owner;

    private IMailboxOwner Owner => _owner ?? throw new InvalidOperationException("The mailbox has no owner yet.");

    /// <summary>Queues <paramref name="item"/>; false once the connection has ended.</summary>
    public bool Post(object? item)
    {
        bool start;
        lock (this)
        {
            if (Owner.HasEnded) return false;
            (_items ??= new Queue<object?>()).Enqueue(item);
            start = StartDrain();
        }
        if (start) ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);
        return true;
    }

    /// <summary>Asks for a liveness check in the connection's turn (at most one is pending).</summary>
    public void PostTick()
    {
        bool start;
        lock (this)
        {
            if (Owner.HasEnded) return;
            _tickDue = true;
            start = StartDrain();
        }
        if (start) ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);
    }

    /// <summary>Drops the items not yet delivered, once the owner has ended (under the monitor, so a post
    /// that saw the owner still running has queued its item before, and it is dropped too).</summary>
    public void Clear()
    {
        lock (this)
        {
            _items = null;
            _tickDue = false;
        }
    }

    /// <summary>True while the box holds a queue (for tests of the idle footprint).</summary>
    internal bool HoldsQueue
    {
        get
        {
            lock (this) return _items is not null;
        }
    }

    void IThreadPoolWorkItem.Execute() => _ = DrainAsync();

    // Under the monitor: true when no drain is scheduled, and the caller is to schedule one.
    private bool StartDrain()
    {
        if (_draining) return false;
        _draining = true;
        return true;
    }

    private async Task DrainAsync()
    {
        await EnterAsync().ConfigureAwait(false);
        try
        {
            while (TryTake(out object? item, out bool tick))
            {
                if (tick) Owner.CheckLiveness();
                else await Owner.DeliverMailAsync(item).ConfigureAwait(false);
            }
        }
        finally
        {
            Exit();
        }
    }

    /// <summary>The next thing to do; false when there is none, and then this drain is over: finding
    /// the box empty and ending the drain are one step, so an item posted meanwhile starts the next.</summary>
    private bool TryTake(out object? item, out bool tick)
    {
        item = null;
        lock (this)
        {
            bool ended = Owner.HasEnded;
            tick = _tickDue && !ended;
            _tickDue = false;
            if (tick) return true;
            if (!ended && _items is not null && _items.TryDequeue(out item)) return true;
            _items = null; // drained: an idle connection holds no queue
            _draining = false;
            return false;
        }
    }
}
