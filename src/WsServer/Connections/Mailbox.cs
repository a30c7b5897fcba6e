using System.Collections.Concurrent;

namespace WsServer.Connections;

/// <summary>
/// A connection's mailbox, as an Erlang process has one: anything posted to it (a timer's tick, a
/// message from a topic or from another node, a keep-alive check) reaches the handler in the
/// connection's turn, so in order with the peer's messages and never during another handler call.
/// A drain is scheduled on the thread pool when the first item arrives and runs until the box is
/// empty; an empty mailbox holds no queue.
/// </summary>
internal sealed class Mailbox(HandlerTurn turn, WebSocketConnection owner)
{
    private ConcurrentQueue<object?>? _items;
    private int _draining;
    private volatile bool _closed;

    /// <summary>Queues <paramref name="item"/>; false once the connection has ended.</summary>
    public bool Post(object? item)
    {
        if (_closed) return false;
        ConcurrentQueue<object?> items = _items ?? Interlocked.CompareExchange(ref _items, new(), null) ?? _items;
        items.Enqueue(item);
        if (Interlocked.Exchange(ref _draining, 1) == 0)
            ThreadPool.UnsafeQueueUserWorkItem(static box => _ = box.DrainAsync(), this, preferLocal: false);
        return true;
    }

    /// <summary>No item is delivered from now on; those not yet delivered are dropped.</summary>
    public void Close() => _closed = true;

    private async Task DrainAsync()
    {
        while (true)
        {
            await turn.EnterAsync().ConfigureAwait(false);
            try
            {
                while (!_closed && _items!.TryDequeue(out object? item)) await owner.DeliverMailAsync(item).ConfigureAwait(false);
            }
            finally
            {
                turn.Exit();
            }
            Volatile.Write(ref _draining, 0);
            // An item posted after the last dequeue and before the flag was cleared finds no drain: take it.
            if (_closed || _items!.IsEmpty || Interlocked.Exchange(ref _draining, 1) != 0) return;
        }
    }
}
