using System.Net;

namespace WsServer.Host.Configuration;

/// <summary>The status page, as configured (<c>--status</c>, <c>--status-allow</c>, <c>--status-token</c>).</summary>
/// <param name="Path">The path of the page and of its WebSocket (<c>/status</c>).</param>
/// <param name="Allowed">The networks allowed to see it; null for the default: loopback only without a
/// token, any address with one.</param>
/// <param name="Token">The token a viewer must give as <c>?token=</c>; null for none.</param>
internal sealed record StatusSettings(string Path, IReadOnlyList<IPNetwork>? Allowed, string? Token)
{
    /// <summary>Loopback, IPv4 and IPv6: the addresses allowed by default.</summary>
    public static IReadOnlyList<IPNetwork> Loopback { get; } = [IPNetwork.Parse("127.0.0.0/8"), IPNetwork.Parse("::1/128")];
}
