using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;

namespace WsServer.Collections;

/// <summary>
/// Objects kept between uses, shared by every thread, up to <paramref name="maxKept"/> of them: a return
/// past the bound is refused (the caller drops or disposes the object), so a burst leaves at most that
/// many behind. The count is kept beside the queue because <see cref="ConcurrentQueue{T}.Count"/> walks
/// its segments. Renting and returning allocate nothing once the queue has grown to the bound.
/// </summary>
internal sealed class BoundedPool<T>(int maxKept) where T : class
{
    private readonly ConcurrentQueue<T> _kept = new();
    private int _count;

    /// <summary>A kept object, if there is one.</summary>
    public bool TryRent([NotNullWhen(true)] out T? item)
    {
        if (!_kept.TryDequeue(out item)) return false;
        Interlocked.Decrement(ref _count);
        return true;
    }

    /// <summary>Keeps <paramref name="item"/> unless the bound is reached; false when it is not kept.</summary>
    public bool TryReturn(T item)
    {
        if (Interlocked.Increment(ref _count) > maxKept)
        {
            Interlocked.Decrement(ref _count);
            return false;
        }
        _kept.Enqueue(item);
        return true;
    }
}
