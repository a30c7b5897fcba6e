using System.Net;
using WsServer.Connections;

namespace WsServer.Hosting;

/// <summary><see cref="ServerOptions.RateLimitPerIp"/>: one <see cref="InboundLimiter"/> per remote address, shared by
/// every open connection from it (counted), dropped when the last one closes, refilled by the heartbeat.</summary>
internal sealed class AddressLimiters(MessageRateLimit limit)
{
    private readonly Lock _gate = new();
    private readonly Dictionary<IPAddress, (InboundLimiter Limiter, int Users)> _byAddress = [];

    /// <summary>The limiter of <paramref name="address"/>, for one more connection until <see cref="Return"/>.</summary>
    public InboundLimiter Rent(IPAddress address)
    {
        address = Normal(address);
        lock (_gate)
        {
            (InboundLimiter limiter, int users) = _byAddress.GetValueOrDefault(address, (new InboundLimiter(limit), 0));
            _byAddress[address] = (limiter, users + 1);
            return limiter;
        }
    }

    /// <summary>One connection from <paramref name="address"/> has closed.</summary>
    public void Return(IPAddress address)
    {
        address = Normal(address);
        lock (_gate)
        {
            if (!_byAddress.TryGetValue(address, out (InboundLimiter Limiter, int Users) entry)) return;
            if (entry.Users <= 1) _byAddress.Remove(address);
            else _byAddress[address] = (entry.Limiter, entry.Users - 1);
        }
    }

    /// <summary>A second's tokens for every address with open connections.</summary>
    public void Replenish()
    {
        InboundLimiter[] limiters;
        lock (_gate) limiters = [.. _byAddress.Values.Select(v => v.Limiter)];
        foreach (InboundLimiter limiter in limiters) limiter.Replenish();
    }

    // An IPv4-mapped address counts as its IPv4 address, as in the connection limits.
    private static IPAddress Normal(IPAddress address) => address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
}
