namespace WsServer.Connections;

/// <summary>A connection's "has it ended" task, made only when someone asks before the end: most never
/// ask, or ask after, and then a finished stand-in (shared when it succeeded) takes the source's place,
/// so an idle connection holds no completion source of its own. The first ending counts.</summary>
internal static class LazyCompletion
{
    private static readonly TaskCompletionSource Succeeded = Finished(null);

    /// <summary>The task of <paramref name="slot"/>, its source made on the first call.</summary>
    public static Task Task(ref TaskCompletionSource? slot) =>
        LazyInitializer.EnsureInitialized(ref slot, static () => new(TaskCreationOptions.RunContinuationsAsynchronously)).Task;

    /// <summary>Ends <paramref name="slot"/>: completes the source a caller of <see cref="Task"/> made, or puts a
    /// finished one in its place; faulted with <paramref name="error"/> when given.</summary>
    public static void Complete(ref TaskCompletionSource? slot, Exception? error = null)
    {
        TaskCompletionSource? asked = Interlocked.CompareExchange(ref slot, error is null ? Succeeded : Finished(error), null);
        if (asked is null) return;
        if (error is null) asked.TrySetResult();
        else asked.TrySetException(error);
    }

    private static TaskCompletionSource Finished(Exception? error)
    {
        var source = new TaskCompletionSource();
        if (error is null) source.SetResult();
        else source.SetException(error);
        return source;
    }
}
