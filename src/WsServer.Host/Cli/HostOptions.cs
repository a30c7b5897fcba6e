using WsServer.Host.BuiltInHandlers;
using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using System.Net;
using Microsoft.Extensions.Logging;
using WsServer.Host.Handlers;
using WsServer.Protocol.Session;

namespace WsServer.Host.Cli;

/// <summary>The program's flags, each with its default and its validation; a violation becomes a
/// parse error with a one-line message naming the flag.</summary>
internal sealed partial class HostOptions
{
    public Option<int> Port { get; } = new("--port", "-p")
    {
        Description = "The TCP port to listen on; 0 picks a free one.",
        DefaultValueFactory = _ => 8080,
        CustomParser = r => (int)ParseInteger(r, 0, IPEndPoint.MaxPort),
    };

    public Option<IPAddress> Address { get; } = new("--address", "-a")
    {
        Description = "The address to bind: 0.0.0.0 (any IPv4), :: (dual-stack), 127.0.0.1, or one address.",
        DefaultValueFactory = _ => IPAddress.Any,
        CustomParser = ParseAddress,
    };

    public Option<int> Workers { get; } = new("--workers", "-w")
    {
        Description = "The most connections served at once; more wait in the listen backlog. Fewer when the file descriptor limit (ulimit -n) leaves room for fewer.",
        HelpName = "N",
        DefaultValueFactory = _ => 1024,
        CustomParser = r => (int)ParseInteger(r, 1, int.MaxValue),
    };

    public Option<string> Handler { get; } = new("--handler")
    {
        Description = $"The handler: a built-in ({string.Join(", ", HandlerCatalog.BuiltInNames)}) or PATH.dll:Namespace.TypeName.",
        DefaultValueFactory = _ => "echo",
    };

    public Option<long> MaxMessageSize { get; } = new("--max-message-size")
    {
        Description = "The largest message accepted, in bytes (inclusive); a larger one closes with 1009.",
        HelpName = "BYTES",
        DefaultValueFactory = _ => ProtocolOptions.DefaultMaxMessageSize,
        CustomParser = r => ParseInteger(r, 1, long.MaxValue),
    };

    public Option<LogLevel> LogLevel { get; } = new("--log-level")
    {
        Description = "The least severe log level written: Trace, Debug, Information, Warning, Error, Critical or None.",
        DefaultValueFactory = _ => Microsoft.Extensions.Logging.LogLevel.Information,
        CustomParser = ParseLogLevel,
    };

    public Option<string[]> Route { get; } = new("--route")
    {
        Description = "Serve /PATH (or every path under /PREFIX/* ) with HANDLER: /PATH=HANDLER. Repeatable; --handler then serves unmatched paths only when given.",
        AllowMultipleArgumentsPerToken = false,
    };

    public Option<string> Cert { get; } = new("--cert") { Description = "TLS certificate: a PEM file (with --key) or a .pfx/.p12 file (with --cert-password)." };

    public Option<string> Key { get; } = new("--key") { Description = "The PEM private key file for --cert." };

    public Option<string> CertPassword { get; } = new("--cert-password") { Description = "The password of the --cert PFX file." };

    public Option<string[]> Subprotocol { get; } = new("--subprotocol")
    {
        Description = "A subprotocol this server speaks; repeatable, most preferred first.",
        AllowMultipleArgumentsPerToken = false,
    };

    public Option<string[]> AllowOrigin { get; } = new("--allow-origin")
    {
        Description = "An origin allowed to connect (https://example.com); repeatable. Default: any.",
        AllowMultipleArgumentsPerToken = false,
    };

    public Option<bool> ProxyProtocol { get; } = new("--proxy-protocol")
    {
        Description = "Expect a PROXY protocol (v1 or v2) header from a load balancer on every connection.",
    };

    public Option<string> Redis { get; } = new("--redis")
    {
        Description = "Share the broadcast and chat rooms with every wsserver using this Redis, over Redis pub/sub (sharded on a Redis Cluster): HOST:PORT, a StackExchange.Redis configuration (HOST:PORT,password=...,ssl=true) or a redis:// or rediss:// URL. At most once; while Redis is away, publishes wait in a bounded queue.",
        HelpName = "REDIS",
    };

    public Option<int> ChatHistory { get; } = new("--chat-history")
    {
        Description = "How many messages each chat room keeps, for members who join late or come back after a cut (0: none). Shared over --redis.",
        HelpName = "N",
        DefaultValueFactory = _ => ChatHandler.DefaultHistoryLength,
        CustomParser = r => (int)ParseInteger(r, 0, 100_000),
    };

    public Option<string> Config { get; } = new("--config") { Description = "A JSON file with any of these settings; flags win over it." };

    public Option<bool> Compression { get; } = new("--compression")
    {
        Description = "Negotiate permessage-deflate (RFC 7692) with clients that offer it (the default).",
    };

    public Option<bool> NoCompression { get; } = new("--no-compression")
    {
        Description = "Decline permessage-deflate: every message is sent and accepted uncompressed.",
    };

    public Option<bool> InlineIo { get; } = new("--inline-io")
    {
        Description = "Run each connection's work on the socket's event thread, with no hop to the thread pool (the default when every handler is built in). A handler must then never block.",
    };

    public Option<bool> NoInlineIo { get; } = new("--no-inline-io")
    {
        Description = "Hand every socket completion to the thread pool (the default with a handler from a DLL, which may block).",
    };

    public HostOptions()
    {
        Handler.Validators.Add(r =>
        {
            if (string.IsNullOrWhiteSpace(r.GetValueOrDefault<string>())) r.AddError("--handler must not be empty.");
        });
        NoCompression.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<bool>() && r.Parent?.GetResult(Compression) is { } c && c.GetValueOrDefault<bool>())
                r.AddError("--compression and --no-compression exclude each other.");
        });
        NoInlineIo.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<bool>() && r.Parent?.GetResult(InlineIo) is { } i && i.GetValueOrDefault<bool>())
                r.AddError("--inline-io and --no-inline-io exclude each other.");
        });
    }

    public IEnumerable<Option> All =>
        [Port, Address, Workers, Handler, MaxMessageSize, LogLevel, Route, Cert, Key, CertPassword, Subprotocol, AllowOrigin, ProxyProtocol, Redis, ChatHistory, Config,
         Compression, NoCompression, InlineIo, NoInlineIo, .. LimitOptions];

    /// <summary>The settings: each flag given on the command line, else the config file's value, else the
    /// flag's default. Throws <see cref="UsageException"/> for a bad config file or route.</summary>
    public HostSettings Read(ParseResult result)
    {
        ConfigFile config = result.GetValue(Config) is { } path ? ConfigFile.Load(path) : new ConfigFile();
        bool Given(Option option) => result.GetResult(option) is { Implicit: false };
        T Pick<T>(Option<T> option, T? fromConfig) where T : struct => Given(option) || fromConfig is null ? result.GetValue(option) : fromConfig.Value;
        string? PickText(Option<string> option, string key) => Given(option) ? result.GetValue(option) : config.String(key) ?? result.GetValue(option);
        IReadOnlyList<string> PickList(Option<string[]> option, string key) =>
            Given(option) ? result.GetValue(option) ?? [] : config.Strings(key) ?? [];

        IPAddress address = Given(Address) || config.String("address") is not { } text ? result.GetRequiredValue(Address)
            : IPAddress.TryParse(text, out IPAddress? parsed) ? parsed : throw new UsageException($"--config: 'address': '{text}' is not an IP address");
        int PickInt(Option<int> option, string key, int min, int max) =>
            Given(option) || config.Integer(key) is not { } value ? result.GetValue(option) : (int)Checked(key, value, min, max);
        int port = PickInt(Port, "port", 0, IPEndPoint.MaxPort);
        int workers = PickInt(Workers, "workers", 1, int.MaxValue);
        long maxMessageSize = Checked("maxMessageSize", Pick(MaxMessageSize, config.Integer("maxMessageSize")), 1, long.MaxValue);
        LogLevel level = Given(LogLevel) || config.String("logLevel") is not { } levelText ? result.GetValue(LogLevel)
            : Enum.TryParse(levelText, true, out LogLevel l) ? l : throw new UsageException($"--config: 'logLevel': '{levelText}' is not a log level");
        List<RouteSpec> routes = Given(Route) ? [.. (result.GetValue(Route) ?? []).Select(ParseRoute)] : config.Routes ?? [];
        bool handlerGiven = Given(Handler) || config.String("handler") is not null;

        return new HostSettings(address, port, workers, PickText(Handler, "handler")!, maxMessageSize, level)
        {
            Limits = ReadLimits(result, config, Given),
            Transport = new TransportSettings
            {
                Certificate = PickText(Cert, "cert"),
                Key = PickText(Key, "key"),
                CertificatePassword = PickText(CertPassword, "certPassword"),
                ProxyProtocol = Given(ProxyProtocol) ? result.GetValue(ProxyProtocol) : config.Boolean("proxyProtocol") ?? false,
                Subprotocols = PickList(Subprotocol, "subprotocols"),
                AllowedOrigins = PickList(AllowOrigin, "allowOrigins"),
                Routes = routes,
                HasFallback = routes.Count == 0 || handlerGiven,
            },
            Redis = PickText(Redis, "redis"),
            ChatHistory = PickInt(ChatHistory, "chatHistory", 0, 100_000),
            Compression = Given(NoCompression) ? !result.GetValue(NoCompression)
                : Given(Compression) ? result.GetValue(Compression) : config.Boolean("compression") ?? true,
            InlineIo = Given(NoInlineIo) ? !result.GetValue(NoInlineIo)
                : Given(InlineIo) ? result.GetValue(InlineIo) : config.Boolean("inlineIo"),
        };
    }

    private static RouteSpec ParseRoute(string text) =>
        RouteSpec.Parse(text) ?? throw new UsageException($"--route: '{text}' is not /PATH=HANDLER");

    private static long Checked(string key, long value, long min, long max) =>
        value >= min && value <= max ? value : throw new UsageException($"--config: '{key}' must be between {min} and {max}");

    private static long ParseInteger(ArgumentResult result, long min, long max)
    {
        string text = Token(result);
        string name = ((OptionResult)result.Parent!).Option.Name;
        if (!long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long value))
            result.AddError($"{name}: '{text}' is not a whole number.");
        else if (value < min)
            result.AddError($"{name} must be at least {min}.");
        else if (value > max)
            result.AddError($"{name} must be at most {max}.");
        else
            return value;
        return min;
    }

    private static string Token(ArgumentResult result) => result.Tokens.Count == 1 ? result.Tokens[0].Value : "";

    private static IPAddress ParseAddress(ArgumentResult result)
    {
        string text = Token(result);
        if (IPAddress.TryParse(text, out IPAddress? address)) return address;
        result.AddError($"--address: '{text}' is not an IP address.");
        return IPAddress.None;
    }

    private static LogLevel ParseLogLevel(ArgumentResult result)
    {
        string text = Token(result);
        // Names only: Enum.TryParse alone would also take "3" or "Warning,Error".
        if (Enum.GetNames<LogLevel>().Contains(text, StringComparer.OrdinalIgnoreCase))
            return Enum.Parse<LogLevel>(text, ignoreCase: true);
        result.AddError($"--log-level: '{text}' is not one of {string.Join(", ", Enum.GetNames<LogLevel>())}.");
        return Microsoft.Extensions.Logging.LogLevel.None;
    }
}
