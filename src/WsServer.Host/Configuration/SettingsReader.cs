using System.Net;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using WsServer.Extensions.Hosting;
using WsServer.Host.BuiltInHandlers;
using WsServer.Host.Exits;
using WsServer.Host.Handlers;
using WsServer.Hosting;
using WsServer.Redis;
using WsServer.Routing;
using WsServer.Transport;
using static WsServer.Extensions.Hosting.ConfigurationValues;

namespace WsServer.Host.Configuration;

/// <summary>
/// Reads the program's configuration into <see cref="HostSettings"/>: the server's keys (<c>port</c>,
/// <c>idleTimeout</c>, <c>routes</c>, <c>redis</c>...) with the hosting package's reader, the same as
/// <c>AddWsServer</c> reads <c>appsettings.json</c>, and the program's own keys (<c>handler</c>, <c>cert</c>,
/// <c>subprotocols</c>...) with its value readers. A bad value is a <see cref="UsageException"/> naming it.
/// </summary>
internal static class SettingsReader
{
    /// <summary>The keys only the program has, beside the server's.</summary>
    public static IReadOnlyList<string> OwnKeys { get; } =
        ["handler", "logLevel", "chatHistory", "inlineIo", "keepalive", "cert", "key", "certPassword", "subprotocols", "allowOrigins", "status", "statusAllow", "statusToken", "otlpEndpoint"];

    /// <summary>Every key the program reads.</summary>
    public static IEnumerable<string> Keys => ServerConfiguration.Keys.Concat(OwnKeys);

    public static HostSettings Read(ProgramConfiguration configuration)
    {
        try
        {
            return ReadChecked(configuration);
        }
        catch (WsServerConfigurationException ex)
        {
            throw new UsageException(configuration.Describe(ex), ex);
        }
    }

    private static HostSettings ReadChecked(ProgramConfiguration configuration)
    {
        // The program listens on every address unless told otherwise (a library's server, on loopback), and answers
        // the probes of load balancers and Kubernetes on its port (a library's server, only when asked).
        var options = new ServerOptions { Address = IPAddress.Any, HealthPath = "/healthz", ReadinessPath = "/readyz" };
        var read = new ProgramKeys();
        RedisBackplaneOptions? redis = null;
        var own = new Dictionary<string, Action<IConfigurationSection>>(StringComparer.OrdinalIgnoreCase)
        {
            ["handler"] = s => read.Handler = Text(s).Length > 0 ? Text(s) : throw Bad(s, "must not be empty"),
            ["logLevel"] = s => read.LogLevel = Enum<LogLevel>(s),
            ["chatHistory"] = s => read.ChatHistory = (int)Integer(s, 0, 100_000),
            ["inlineIo"] = s => read.InlineIo = Boolean(s),
            ["keepalive"] = s => options.KeepAliveInterval = Duration(s, DurationRule.PositiveOrOff),
            ["cert"] = s => read.Certificate = configuration.PathOf(s),
            ["key"] = s => read.Key = configuration.PathOf(s),
            ["certPassword"] = s => read.CertificatePassword = Text(s),
            ["subprotocols"] = s => read.Subprotocols = List(s),
            ["allowOrigins"] = s => read.AllowedOrigins = List(s),
            ["status"] = s => read.StatusPath = StatusPath(s),
            ["statusAllow"] = s => read.StatusAllowed = [.. List(s).Select((item, i) => Network(s, i, item))],
            ["statusToken"] = s => read.StatusToken = Text(s).Length > 0 ? Text(s) : throw Bad(s, "must not be empty"),
            ["otlpEndpoint"] = s => read.OtlpEndpoint = CollectorUrl(s),
        };
        IReadOnlyDictionary<string, ConfiguredRoute> routes = ServerConfiguration.Apply(configuration.Root, options, ref redis, own);

        List<HandlerRoute> mapped = [.. routes.Values.Select(r => new HandlerRoute(r.Pattern,
            r.Handler ?? throw Bad(r.HandlerKey, "is missing: a route needs a built-in handler or PATH.dll:Namespace.TypeName"),
            r.ApplyTo(read.WebSocketRouteOptions)))];
        string handler = read.Handler ?? "echo";
        options.InlineIo = read.InlineIo ?? mapped.Select(r => r.Handler).Append(handler)
            .All(h => HandlerCatalog.BuiltInNames.Contains(h, StringComparer.Ordinal));
        options.Tls = read.Tls();
        return new HostSettings
        {
            Options = options,
            Handler = handler,
            // --handler alone serves every path; beside routes, the paths they do not match.
            Fallback = mapped.Count == 0 || read.Handler is not null ? read.WebSocketRouteOptions : null,
            Routes = mapped,
            ChatHistory = read.ChatHistory,
            LogLevel = read.LogLevel,
            Redis = redis,
            InlineIo = read.InlineIo,
            Status = read.Status(),
            OtlpEndpoint = read.OtlpEndpoint,
        };
    }

    private static Uri CollectorUrl(IConfigurationSection section)
    {
        string text = Text(section);
        if (!Uri.TryCreate(text, UriKind.Absolute, out Uri? url) || url.Scheme is not ("http" or "https") || url.Query.Length > 0)
            throw Bad(section, $"'{text}' is not a collector's URL such as http://127.0.0.1:4318");
        return url;
    }

    private static string StatusPath(IConfigurationSection section)
    {
        string path = Text(section);
        // Not the root, and no '*', which in a route's pattern would mean a prefix: the page is this one path.
        if (!RouteTable.IsPagePath(path) || path == "/" || path.EndsWith('*'))
            throw Bad(section, $"'{path}' is not a path such as /status");
        return path;
    }

    /// <summary>An address (one host) or a network in CIDR notation (<c>10.0.0.0/8</c>).</summary>
    private static IPNetwork Network(IConfigurationSection section, int index, string text)
    {
        if (IPAddress.TryParse(text, out IPAddress? address)) return new IPNetwork(address, address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 32 : 128);
        if (IPNetwork.TryParse(text, out IPNetwork network)) return network;
        throw Bad(section.GetSection(index.ToString(System.Globalization.CultureInfo.InvariantCulture)), $"'{text}' is not an address or a network such as 10.0.0.0/8");
    }

    /// <summary>The values of the program's own keys, as read.</summary>
    private sealed class ProgramKeys
    {
        public string? Handler { get; set; }
        public LogLevel LogLevel { get; set; } = LogLevel.Information;
        public int ChatHistory { get; set; } = ChatHandler.DefaultHistoryLength;
        public bool? InlineIo { get; set; }
        public string? Certificate { get; set; }
        public string? Key { get; set; }
        public string? CertificatePassword { get; set; }
        public IReadOnlyList<string> Subprotocols { get; set; } = [];
        public IReadOnlyList<string> AllowedOrigins { get; set; } = [];
        public string? StatusPath { get; set; }
        public IReadOnlyList<IPNetwork>? StatusAllowed { get; set; }
        public string? StatusToken { get; set; }
        public Uri? OtlpEndpoint { get; set; }

        public StatusSettings? Status()
        {
            if (StatusPath is null)
            {
                if (StatusAllowed is not null || StatusToken is not null) throw new UsageException("--status-allow and --status-token need --status");
                return null;
            }
            return new StatusSettings(StatusPath, StatusAllowed is { Count: > 0 } ? StatusAllowed : null, StatusToken);
        }

        /// <summary>The options of every route that does not set its own.</summary>
        public WebSocketRouteOptions WebSocketRouteOptions => new() { Subprotocols = Subprotocols, AllowedOrigins = AllowedOrigins.Count == 0 ? null : AllowedOrigins };

        public TlsOptions? Tls()
        {
            if (Certificate is null)
            {
                if (Key is not null || CertificatePassword is not null) throw new UsageException("--key and --cert-password need --cert");
                return null;
            }
            var file = new CertificateFile { Path = Certificate, KeyPath = Key, Password = CertificatePassword };
            if (file.IsPkcs12 && file.KeyPath is not null) throw new UsageException("--key is for a PEM --cert; a .pfx holds its key");
            // .NET's own words for this ("the key contents do not contain a PEM") do not say what to do.
            if (!file.IsPkcs12 && file.KeyPath is null && File.Exists(file.Path) && !File.ReadAllText(file.Path).Contains("PRIVATE KEY-----", StringComparison.Ordinal))
                throw new UsageException($"--cert {file.Path} holds no private key: give it with --key KEY.pem, or put the key in the same file");
            return new TlsOptions { Certificate = file };
        }
    }
}
