namespace WsServer.Transport.Epoll;

/// <summary>Something written at the end of a loop's batch: a connection's replies.</summary>
internal interface IBatchFlush
{
    void Flush();
}

/// <summary>
/// The flushes due on an epoll loop's thread while it serves the events of one wait. A connection served there
/// writes its replies once the loop has served every event it holds, just before it waits again, as Redis
/// writes its replies before it sleeps: the replies to many connections leave in one run, while their peers
/// are still awake to take them, rather than one by one, each waking a peer that has just gone back to sleep.
/// A reply waits at most for the rest of one batch. Off a loop's thread, a flush runs at once.
/// </summary>
internal static class LoopBatch
{
    // Held in a struct: storing an interface into an array of it checks the element type; a struct is stored as it is.
    private readonly record struct Due(IBatchFlush Item);

    [ThreadStatic] private static List<Due>? t_due;

    /// <summary>On a loop's thread, has <paramref name="flush"/> run at the end of the batch; false elsewhere
    /// (flush now).</summary>
    public static bool TryDefer(IBatchFlush flush)
    {
        if (t_due is not { } due) return false;
        due.Add(new Due(flush));
        return true;
    }

    /// <summary>Makes the calling thread a loop's: flushes deferred on it wait for <see cref="FlushDue"/>.</summary>
    internal static void Enter() => t_due = new List<Due>(64);

    /// <summary>Runs the flushes deferred during the batch, in the order they came; one deferred meanwhile runs too.</summary>
    internal static void FlushDue()
    {
        List<Due> due = t_due!;
        for (int i = 0; i < due.Count; i++) due[i].Item.Flush();
        due.Clear();
    }
}
