using System.Collections.Concurrent;
using System.Net;
using WsServer.Collections;

namespace WsServer.Hosting;

/// <summary><see cref="ServerOptions.ConnectionsPerSecondPerIp"/>: a token bucket per remote address, refilled by
/// the server's heartbeat on its clock; a bucket full again is forgotten, so quiet addresses cost nothing.</summary>
internal sealed class AddressRateLimiter(int perSecond)
{
    private readonly ConcurrentDictionary<IPAddress, TokenBucket> _buckets = new();

    /// <summary>Takes a new connection's token for <paramref name="address"/>; false when it has none left.</summary>
    public bool TryTake(IPAddress address)
    {
        // An IPv4-mapped address counts as its IPv4 address, as in the connection limits.
        if (address.IsIPv4MappedToIPv6) address = address.MapToIPv4();
        return _buckets.GetOrAdd(address, static (_, rate) => new TokenBucket(rate, rate), perSecond).TryTake(1);
    }

    /// <summary>A second's tokens for every address seen; the full buckets are dropped.</summary>
    public void Replenish()
    {
        foreach ((IPAddress address, TokenBucket bucket) in _buckets)
        {
            bucket.Refill();
            if (bucket.IsFull) _buckets.TryRemove(address, out _);
        }
    }
}
