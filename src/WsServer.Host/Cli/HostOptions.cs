using System.CommandLine;
using System.Globalization;
using WsServer.Host.BuiltInHandlers;
using WsServer.Host.Configuration;
using WsServer.Host.Exits;
using WsServer.Host.Handlers;
using WsServer.Protocol.Session;

namespace WsServer.Host.Cli;

/// <summary>The program's flags, with their help and defaults. A flag's value is not checked here: each
/// flag given becomes its configuration key (<see cref="ConfigKey"/>), read by the same reader as the
/// config file and the environment, so a value means the same wherever it is written.</summary>
internal sealed partial class HostOptions
{
    public Option<string> Port { get; } = new("--port", "-p")
    {
        Description = "The TCP port to listen on; 0 picks a free one.",
        DefaultValueFactory = _ => "8080",
    };

    public Option<string> Address { get; } = new("--address", "-a")
    {
        Description = "The address to bind: 0.0.0.0 (any IPv4), :: (dual-stack), 127.0.0.1 or localhost (IPv4 loopback), or one address.",
        DefaultValueFactory = _ => "0.0.0.0",
    };

    public Option<string> Workers { get; } = new("--workers", "-w")
    {
        Description = "The most connections served at once; more wait in the listen backlog. Fewer when the file descriptor limit (ulimit -n) leaves room for fewer.",
        HelpName = "N",
        DefaultValueFactory = _ => "1024",
    };

    public Option<string> Handler { get; } = new("--handler")
    {
        Description = $"The handler: a built-in ({string.Join(", ", HandlerCatalog.BuiltInNames)}) or PATH.dll:Namespace.TypeName.",
        DefaultValueFactory = _ => "echo",
    };

    public Option<string> MaxMessageSize { get; } = new("--max-message-size")
    {
        Description = "The largest message accepted, in bytes (inclusive); a larger one closes with 1009.",
        HelpName = "BYTES",
        DefaultValueFactory = _ => Text(ProtocolOptions.DefaultMaxMessageSize),
    };

    public Option<string> LogLevel { get; } = new("--log-level")
    {
        Description = "The least severe log level written: Trace, Debug, Information, Warning, Error, Critical or None.",
        DefaultValueFactory = _ => "Information",
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

    public Option<string> ChatHistory { get; } = new("--chat-history")
    {
        Description = "How many messages each chat room keeps, for members who join late or come back after a cut (0: none). Shared over --redis.",
        HelpName = "N",
        DefaultValueFactory = _ => Text(ChatHandler.DefaultHistoryLength),
    };

    public Option<string> HealthPath { get; } = new("--health-path")
    {
        Description = "Answer a plain GET of this path with 200 ok while the server runs (a liveness probe); off for none. Default: /healthz.",
        HelpName = "PATH|off",
    };

    public Option<string> ReadinessPath { get; } = new("--readiness-path")
    {
        Description = "Answer a plain GET of this path with 200 ready, or 503 while draining or while --redis is away (a readiness probe); off for none. Default: /readyz.",
        HelpName = "PATH|off",
    };

    public Option<string> Status { get; } = new("--status")
    {
        Description = "Serve a live status page (connections, messages and bytes per second, handler and round-trip times, refusals, close codes) at this path, and its WebSocket feed. Off by default.",
        HelpName = "PATH",
    };

    public Option<string[]> StatusAllow { get; } = new("--status-allow")
    {
        Description = "An address or network (10.0.0.0/8) allowed to see --status; repeatable. Default: loopback only, or any address with --status-token.",
        HelpName = "ADDRESS|CIDR",
        AllowMultipleArgumentsPerToken = false,
    };

    public Option<string> StatusToken { get; } = new("--status-token")
    {
        Description = "A token the --status page's viewers must give as ?token=TOKEN (with --status-allow, from those addresses only).",
        HelpName = "TOKEN",
    };

    public Option<string> Config { get; } = new("--config") { Description = "A JSON file with any of these settings (relative cert and key paths are relative to it); WSSERVER_ environment variables win over it, and flags over both." };

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
        [Port, Address, Workers, Handler, MaxMessageSize, LogLevel, Route, Cert, Key, CertPassword, Subprotocol, AllowOrigin, ProxyProtocol, Redis, ChatHistory, HealthPath, ReadinessPath, Status, StatusAllow, StatusToken, Config,
         Compression, NoCompression, InlineIo, NoInlineIo, .. LimitOptions, .. TelemetryOptions];

    /// <summary>The configuration keys and values of the flags given in <paramref name="result"/> (not their
    /// defaults), each with the flag's name for errors. Throws <see cref="UsageException"/> for a malformed --route.</summary>
    public IEnumerable<GivenFlag> Given(ParseResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        foreach (Option option in All)
        {
            if (result.GetResult(option) is not { Implicit: false } || ConfigKey(option) is not { } key) continue;
            object? value = result.GetResult(option)!.GetValueOrDefault<object?>();
            IEnumerable<(string Key, string? Value)> entries = (option.Name, value) switch
            {
                ("--route", string[] routes) => routes.Select(ParseRoute).Select(r => ($"{key}:{r.Pattern}", (string?)r.Handler)),
                (_, string[] items) => items.Select((item, i) => ($"{key}:{Text(i)}", (string?)item)),
                ("--no-compression" or "--no-inline-io", bool on) => [(key, Text(!on))],
                (_, bool on) => [(key, Text(on))],
                _ => [(key, value as string)],
            };
            foreach ((string entryKey, string? entryValue) in entries) yield return new GivenFlag(option.Name, entryKey, entryValue);
        }
    }

    private static (string Pattern, string Handler) ParseRoute(string text)
    {
        int equals = text.IndexOf('=', StringComparison.Ordinal);
        if (equals <= 1 || equals == text.Length - 1 || text[0] != '/') throw new UsageException($"--route: '{text}' is not /PATH=HANDLER");
        return (text[..equals], text[(equals + 1)..]);
    }

    private static string Text(IFormattable value) => value.ToString(null, CultureInfo.InvariantCulture);

    private static string Text(bool value) => value ? "true" : "false";
}
