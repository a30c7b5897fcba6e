namespace WsServer.Hosting;

/// <summary>The pause before retrying a failed <c>accept</c> (EMFILE, ENFILE, ENOBUFS, ...): 10 ms,
/// doubling up to 1 s, back to the start after an accept succeeds. Such a failure repeats at once if
/// retried at once, so the accept loop never spins on it.</summary>
internal struct AcceptBackoff
{
    public static readonly TimeSpan First = TimeSpan.FromMilliseconds(10);

    public static readonly TimeSpan Longest = TimeSpan.FromSeconds(1);

    private TimeSpan _next;

    /// <summary>The failures since the last accept that succeeded.</summary>
    public int Failures { get; private set; }

    /// <summary>Counts a failure and returns how long to wait before the next attempt.</summary>
    public TimeSpan Fail()
    {
        Failures++;
        TimeSpan delay = _next < First ? First : _next;
        _next = delay * 2 < Longest ? delay * 2 : Longest;
        return delay;
    }

    public void Reset() => this = default;
}
