namespace WsServer.Client;

/// <summary>The waits between attempts to connect: exponential, capped, with full jitter (each wait uniform in
/// zero to its ceiling), so many clients cut off at once spread their returns.</summary>
internal sealed class ReconnectBackoff(WebSocketReconnectOptions options, Random random)
{
    private TimeSpan _ceiling = options.InitialDelay;

    /// <summary>The next wait; each call raises the ceiling of the next, up to <see cref="WebSocketReconnectOptions.MaxDelay"/>.</summary>
    public TimeSpan Next()
    {
        TimeSpan ceiling = _ceiling;
        _ceiling = TimeSpan.FromTicks((long)Math.Min(options.MaxDelay.Ticks, ceiling.Ticks * options.Multiplier));
        return options.Jitter ? TimeSpan.FromTicks((long)(random.NextDouble() * ceiling.Ticks)) : ceiling;
    }

    /// <summary>A connection lasted: the next wait is back to the first.</summary>
    public void Reset() => _ceiling = options.InitialDelay;
}
