using System.Net;
using System.Security.Cryptography;
using System.Text;
using WsServer.Host.Configuration;

namespace WsServer.Host.Status;

/// <summary>
/// Who may see the status page and its feed. With a token, a viewer must give it (<c>?token=</c>), and
/// with <c>--status-allow</c> also come from an allowed network; without a token, the address alone
/// decides, loopback by default. Everyone else gets 403.
/// </summary>
internal sealed class StatusAccess
{
    private readonly IReadOnlyList<IPNetwork>? _allowed;
    private readonly byte[]? _tokenHash;

    public StatusAccess(StatusSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        _allowed = settings.Allowed ?? (settings.Token is null ? StatusSettings.Loopback : null);
        _tokenHash = settings.Token is null ? null : Hash(settings.Token);
    }

    /// <summary>Whether a viewer at <paramref name="address"/> that gave <paramref name="token"/> may see the status.</summary>
    public bool Allows(IPAddress address, string? token)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (address.IsIPv4MappedToIPv6) address = address.MapToIPv4();
        if (_allowed is not null && !_allowed.Any(n => n.Contains(address))) return false;
        if (_tokenHash is null) return true;
        // Hashes of equal length, compared in constant time: neither the token's bytes nor its length leak
        // through how long a wrong guess takes.
        return token is not null && CryptographicOperations.FixedTimeEquals(_tokenHash, Hash(token));
    }

    /// <summary>The <c>token</c> parameter of a raw query (without its <c>?</c>); null when absent.</summary>
    public static string? TokenOf(string query)
    {
        ArgumentNullException.ThrowIfNull(query);
        foreach (string pair in query.Split('&'))
        {
            int equals = pair.IndexOf('=', StringComparison.Ordinal);
            if (equals > 0 && pair.AsSpan(0, equals).SequenceEqual("token")) return Uri.UnescapeDataString(pair[(equals + 1)..].Replace('+', ' '));
        }
        return null;
    }

    private static byte[] Hash(string token) => SHA256.HashData(Encoding.UTF8.GetBytes(token));
}
