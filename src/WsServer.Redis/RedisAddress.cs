using System.Globalization;
using System.Net;

namespace WsServer.Redis;

/// <summary>Checks a <c>HOST:PORT</c> address before StackExchange.Redis sees it, because its own parser
/// takes a missing port for the default one and a bad host for a name to retry forever.</summary>
internal static class RedisAddress
{
    public static EndPoint Parse(string address, string paramName)
    {
        ArgumentNullException.ThrowIfNull(address, paramName);
        int colon = address.LastIndexOf(':');
        string host = colon > 0 ? address[..colon] : "";
        if (host.StartsWith('[') && host.EndsWith(']')) host = host[1..^1];
        else if (host.Contains(':', StringComparison.Ordinal)) host = ""; // an IPv6 address needs brackets
        if (colon < 0 || !int.TryParse(address.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out int port)
            || port is < 1 or > 65535)
            throw new ArgumentException($"Redis address '{address}' needs a port from 1 to 65535 (HOST:PORT)", paramName);
        if (IPAddress.TryParse(host, out IPAddress? ip)) return new IPEndPoint(ip, port);
        if (Uri.CheckHostName(host) != UriHostNameType.Dns)
            throw new ArgumentException($"Redis address '{address}' does not start with a host name or IP address (HOST:PORT)", paramName);
        return new DnsEndPoint(host, port);
    }
}
