namespace WsServer.Client;

/// <summary>How <see cref="WebSocketClient.ConnectForeverAsync"/> waits between attempts: exponential backoff with
/// full jitter. The n-th wait in a row is drawn uniformly from zero to
/// <c>min(MaxDelay, InitialDelay × Multiplier^n)</c> (or is that ceiling itself without jitter), on
/// <see cref="WebSocketClientOptions.TimeProvider"/>.</summary>
public sealed record WebSocketReconnectOptions
{
    /// <summary>The ceiling of the first wait; 1 s by default.</summary>
    public TimeSpan InitialDelay { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>The largest ceiling; 60 s by default.</summary>
    public TimeSpan MaxDelay { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>How much the ceiling grows after each wait in a row, at least 1; 2 by default.</summary>
    public double Multiplier { get; init; } = 2;

    /// <summary>Draw each wait from zero to its ceiling (full jitter), so clients cut off together do not return
    /// together; on by default. Off, each wait is its ceiling.</summary>
    public bool Jitter { get; init; } = true;

    /// <summary>A connection that lasted this long (until the next was asked for) starts the backoff again: the
    /// next connection is made at once. A shorter one counts as a failure, so a server that accepts and drops at
    /// once is not hammered. 10 s by default.</summary>
    public TimeSpan ResetAfter { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>The defaults.</summary>
    public static WebSocketReconnectOptions Default { get; } = new();

    /// <summary>Throws when a value is out of range.</summary>
    internal void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(InitialDelay, TimeSpan.Zero, nameof(InitialDelay));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxDelay, InitialDelay, nameof(MaxDelay));
        ArgumentOutOfRangeException.ThrowIfLessThan(Multiplier, 1, nameof(Multiplier));
        ArgumentOutOfRangeException.ThrowIfLessThan(ResetAfter, TimeSpan.Zero, nameof(ResetAfter));
    }
}
