using WsServer.Protocol.Closing;

namespace WsServer.Connections;

/// <content>How long the connection may live: the route's <see cref="Routing.WebSocketRouteOptions.MaxLifetime"/>
/// (less up to a tenth of it, at random, so connections opened together do not all close together), and the
/// expiry of its credentials (<see cref="ExpiresAt"/>), which a handler may push back after an in-band refresh.
/// Both are checked by the server's heartbeat, once a second.</content>
public sealed partial class WebSocketConnection
{
    private long _lifetimeEndsAt; // a timestamp of the server's clock; 0: none
    private CloseCode _lifetimeCloseCode;
    private long _expiresAtTicks; // UTC ticks; 0: none

    /// <summary>When the connection's credentials expire, as the upgrade callback said
    /// (<see cref="Routing.UpgradeDecision.ExpiringAt"/>) or <see cref="ExtendExpiry"/> last set; null for never.
    /// Once it passes, the connection is closed with 1008 ("credentials expired").</summary>
    public DateTimeOffset? ExpiresAt
    {
        get
        {
            long ticks = Volatile.Read(ref _expiresAtTicks);
            return ticks == 0 ? null : new DateTimeOffset(ticks, TimeSpan.Zero);
        }
    }

    /// <summary>Sets when the connection's credentials expire: after the client proved, in band, that it holds
    /// fresh ones (a refreshed token's <c>exp</c>, say). Any thread.</summary>
    public void ExtendExpiry(DateTimeOffset expiresAt) => Volatile.Write(ref _expiresAtTicks, Math.Max(expiresAt.UtcTicks, 1));

    /// <summary>The route's (or server's) <see cref="MessageRateLimit"/>; null without one.</summary>
    internal InboundLimiter? RateLimiter { get; set; }

    internal void StartLifetime(TimeSpan? maxLifetime, CloseCode closeCode, DateTimeOffset? expiresAt)
    {
        TimeProvider clock = _liveness.Time;
        if (maxLifetime is { } lifetime)
        {
            TimeSpan jittered = lifetime - (lifetime / 10 * Random.Shared.NextDouble());
            _lifetimeEndsAt = clock.GetTimestamp() + (long)(jittered.TotalSeconds * clock.TimestampFrequency);
            _lifetimeCloseCode = closeCode;
        }
        if (expiresAt is { } expires) ExtendExpiry(expires);
    }

    /// <summary>Closes the connection when its lifetime or its credentials are over; true when it did.</summary>
    private bool CloseWhenLifetimeIsOver(long now)
    {
        long endsAt = Volatile.Read(ref _lifetimeEndsAt);
        if (endsAt != 0 && now >= endsAt)
        {
            Volatile.Write(ref _lifetimeEndsAt, 0);
            Close(_lifetimeCloseCode, "connection lifetime reached");
            return true;
        }
        long expires = Volatile.Read(ref _expiresAtTicks);
        if (expires == 0 || _liveness.Time.GetUtcNow().UtcTicks < expires) return false;
        Volatile.Write(ref _expiresAtTicks, 0);
        Close(CloseCode.PolicyViolation, "credentials expired");
        return true;
    }
}
