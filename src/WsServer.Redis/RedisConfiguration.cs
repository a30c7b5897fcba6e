using System.Net;
using StackExchange.Redis;

namespace WsServer.Redis;

/// <summary>Reads what an operator writes for Redis (a StackExchange.Redis configuration string, or a
/// <c>redis://</c> / <c>rediss://</c> URL) into StackExchange.Redis's options, and names the endpoints
/// for logs without any secret.</summary>
internal static class RedisConfiguration
{
    public static ConfigurationOptions Parse(string text, string paramName)
    {
        ArgumentNullException.ThrowIfNull(text, paramName);
        if (string.IsNullOrWhiteSpace(text))
            throw new ArgumentException("Redis configuration is empty: give HOST:PORT, a StackExchange.Redis configuration or a redis:// URL", paramName);
        text = text.Trim();
        ConfigurationOptions options;
        if (text.StartsWith("redis://", StringComparison.OrdinalIgnoreCase) || text.StartsWith("rediss://", StringComparison.OrdinalIgnoreCase))
        {
            options = FromUrl(text, paramName);
        }
        else
        {
            try
            {
                options = ConfigurationOptions.Parse(text);
            }
            catch (ArgumentException e)
            {
                throw new ArgumentException($"Redis configuration is not valid: {e.Message}", paramName);
            }
        }
        if (options.EndPoints.Count == 0)
            throw new ArgumentException("Redis configuration names no server (HOST:PORT, or redis://HOST:PORT)", paramName);
        foreach (EndPoint endPoint in options.EndPoints)
        {
            if (endPoint is DnsEndPoint { Port: < 0 or > 65535 } or IPEndPoint { Port: < 0 or > 65535 })
                throw new ArgumentException($"Redis endpoint {Describe(endPoint)} has no valid port", paramName);
        }
        return options;
    }

    /// <summary>The endpoints, comma-separated, as <c>host:port</c>; never a password.</summary>
    public static string Describe(ConfigurationOptions options) =>
        string.Join(",", options.EndPoints.Select(Describe)) + (options.Ssl ? " (TLS)" : "");

    public static string Describe(EndPoint endPoint) => endPoint switch
    {
        DnsEndPoint dns => $"{dns.Host}:{(dns.Port == 0 ? 6379 : dns.Port)}",
        IPEndPoint ip => ip.ToString(),
        _ => endPoint.ToString() ?? "?",
    };

    // redis[s]://[[user]:password@]host[:port][/db]
    private static ConfigurationOptions FromUrl(string text, string paramName)
    {
        if (!Uri.TryCreate(text, UriKind.Absolute, out Uri? url) || url.Host.Length == 0)
            throw new ArgumentException("Redis URL is not valid (redis://[user:password@]host[:port][/db])", paramName);
        bool tls = url.Scheme.Equals("rediss", StringComparison.OrdinalIgnoreCase);
        var options = new ConfigurationOptions { Ssl = tls };
        string host = url.Host;
        int port = url.Port > 0 ? url.Port : tls ? 6380 : 6379;
        options.EndPoints.Add(host.Trim('[', ']'), port);
        if (tls) options.SslHost = url.IdnHost;
        if (url.UserInfo.Length > 0)
        {
            string[] parts = url.UserInfo.Split(':', 2);
            string user = Uri.UnescapeDataString(parts[0]);
            if (parts.Length == 2)
            {
                if (user.Length > 0) options.User = user;
                options.Password = Uri.UnescapeDataString(parts[1]);
            }
            else
            {
                options.Password = user; // redis://password@host, as redis-cli -u reads it
            }
        }
        string path = url.AbsolutePath.Trim('/');
        if (path.Length > 0)
        {
            if (!int.TryParse(path, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int database))
                throw new ArgumentException($"Redis URL's path '/{path}' is not a database number", paramName);
            options.DefaultDatabase = database;
        }
        return options;
    }
}
